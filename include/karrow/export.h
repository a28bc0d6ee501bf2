/* KARROW_EXPORT: what libkarrow.so exports. karrow is compiled with hidden
 * visibility, so a declaration is part of the shared library's interface only
 * when it carries this mark: the C API, and the C++ classes and functions
 * that docs/architecture.md ("The public surface") lists. Everything else
 * stays private to the library and can change without breaking programs
 * linked against it. Plain C, for karrow.h. */
#ifndef KARROW_EXPORT_H_
#define KARROW_EXPORT_H_

/* In C++ the standard spelling of the same attribute, which may follow
 * another one (class [[nodiscard]] KARROW_EXPORT Status); GCC accepts
 * __attribute__ there only before the standard attributes. */
#if defined(__cplusplus) && (defined(__GNUC__) || defined(__clang__))
#define KARROW_EXPORT [[gnu::visibility("default")]]
#elif defined(__GNUC__) || defined(__clang__)
#define KARROW_EXPORT __attribute__((visibility("default")))
#else
#define KARROW_EXPORT
#endif

#endif /* KARROW_EXPORT_H_ */
