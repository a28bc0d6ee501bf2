// franz_drop: the franz-go contender of the end-to-end benchmark. franz-go is
// a Kafka client written natively in Go (no librdkafka); this program reads
// the topic with it and drops every record, as the ceiling does with
// librdkafka, so that the two price a client's own work per message.
//
//	franz_drop --bootstrap HOST:PORT --topic NAME [--seconds S] [--batch-size 8192]
//
// A pass reads every partition from its beginning to its end offsets (read
// when the pass starts), with a new client, as the other contenders do; with
// --seconds, passes repeat until S seconds are on the clock. The clock and
// the CPU time (getrusage of the whole process: every goroutine and the
// garbage collector) run from the partitions being assigned to the last
// record of a pass. Prints one JSON line as bench/e2e/measurement.h does.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "franz_drop: "+format+"\n", args...)
	os.Exit(1)
}

func cpuSeconds() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		fail("getrusage: %v", err)
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(u.Utime) + tv(u.Stime)
}

func peakRssKib() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kib int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kib)
			return kib
		}
	}
	return 0
}

// measurement keeps the clock as measurement.h does: it runs only while reading.
type measurement struct {
	elapsed, cpu     float64
	resumed          time.Time
	resumedCPU       float64
	running          bool
	messages, values int64
	handed           [][2]float64
}

func (m *measurement) resume() { m.running, m.resumed, m.resumedCPU = true, time.Now(), cpuSeconds() }
func (m *measurement) pause() {
	m.elapsed = m.now()
	m.cpu += cpuSeconds() - m.resumedCPU
	m.running = false
}
func (m *measurement) now() float64 {
	if !m.running {
		return m.elapsed
	}
	return m.elapsed + time.Since(m.resumed).Seconds()
}

func newClient(bootstrap string, opts ...kgo.Opt) *kgo.Client {
	base := []kgo.Opt{kgo.SeedBrokers(bootstrap), kgo.ClientID("karrow"),
		kgo.FetchIsolationLevel(kgo.ReadCommitted())}
	cl, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		fail("cannot create the client: %v", err)
	}
	return cl
}

// endOffsets returns each non-empty partition's end offset (as ListOffsets
// -1 reads it under read_committed) and its start.
func endOffsets(bootstrap, topic string) (map[int32]int64, map[int32]int64) {
	cl := newClient(bootstrap)
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		fail("end offsets of %s: %v", topic, err)
	}
	starts, err := adm.ListStartOffsets(ctx, topic)
	if err != nil {
		fail("start offsets of %s: %v", topic, err)
	}
	end, start := map[int32]int64{}, map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			fail("end offset of %s partition %d: %v", topic, o.Partition, o.Err)
		}
		end[o.Partition] = o.Offset
	})
	starts.Each(func(o kadm.ListedOffset) { start[o.Partition] = o.Offset })
	if len(end) == 0 {
		fail("topic '%s' does not exist", topic)
	}
	return end, start
}

func main() {
	bootstrap := flag.String("bootstrap", "", "HOST:PORT")
	topic := flag.String("topic", "", "topic")
	seconds := flag.Float64("seconds", 0, "read passes until this many seconds (0: one pass)")
	batchSize := flag.Int64("batch-size", 8192, "rows per hand-over time recorded")
	flag.Parse()
	if *bootstrap == "" || *topic == "" {
		fail("usage: franz_drop --bootstrap HOST:PORT --topic NAME [--seconds S]")
	}
	var m measurement
	timeUp := false
	for !timeUp {
		end, start := endOffsets(*bootstrap, *topic)
		assign := map[int32]kgo.Offset{}
		unfinished := 0
		for p, e := range end {
			if e > start[p] {
				assign[p] = kgo.NewOffset().AtStart()
				unfinished++
			}
		}
		if unfinished == 0 {
			fail("topic '%s' is empty", *topic)
		}
		cl := newClient(*bootstrap, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{*topic: assign}))
		finished := map[int32]bool{}
		var inBatch int64
		m.resume()
		ctx := context.Background()
		for unfinished > 0 && !timeUp {
			fetches := cl.PollRecords(ctx, 1024)
			fetches.EachError(func(t string, p int32, err error) { fail("fetch %s partition %d: %v", t, p, err) })
			fetches.EachRecord(func(r *kgo.Record) {
				if finished[r.Partition] || r.Offset >= end[r.Partition] {
					return
				}
				m.messages++
				m.values += int64(len(r.Value))
				inBatch++
				if r.Offset+1 >= end[r.Partition] {
					finished[r.Partition] = true
					unfinished--
					cl.PauseFetchPartitions(map[string][]int32{*topic: {r.Partition}})
				}
				if inBatch == *batchSize {
					m.handed = append(m.handed, [2]float64{m.now(), float64(inBatch)})
					inBatch = 0
					timeUp = *seconds > 0 && m.now() >= *seconds
				}
			})
		}
		if inBatch > 0 {
			m.handed = append(m.handed, [2]float64{m.now(), float64(inBatch)})
		}
		m.pause()
		cl.Close()
		if *seconds <= 0 {
			break
		}
	}
	handed := make([][]float64, len(m.handed))
	for i, h := range m.handed {
		handed[i] = []float64{h[0], h[1]}
	}
	out, _ := json.Marshal(map[string]any{
		"contender": "franz-go", "messages": m.messages, "value_bytes": m.values,
		"elapsed_s": m.elapsed, "cpu_s": m.cpu, "peak_rss_kib": peakRssKib(), "handed": handed,
		"franz_go": "v1.22.3",
	})
	fmt.Println(string(out))
}
