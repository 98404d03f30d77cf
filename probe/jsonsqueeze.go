package probe

import (
	"bytes"
	"io"
	"sort"
)

// squeezeReader bounds the white space a JSON decoder buffers. Looking for
// the next token, encoding/json's Decoder keeps every white-space byte it
// skips in its buffer until it finds one that is not (a facts document with
// 1 GB of spaces inside its object took 3.1 GB), and Decode keeps a value's
// white space with the value. squeezeReader passes JSON through, but a run
// of white space outside strings longer than max bytes is cut to max;
// rawOffset turns an offset in what it passed on into an offset in its
// input, so error messages still name the real byte.
//
// It looks at few bytes: a run longer than max holds one of every max-th
// byte of a chunk, so only those are looked at (and the run around one
// that is white space); whether a run is inside a string is told by the
// parity of the quotes before it (bytes.Count), those escaped by an odd run
// of backslashes excepted. Invalid JSON may confuse the count, but the
// decoder stops at the first invalid byte, before any run that follows it.
type squeezeReader struct {
	r io.Reader
	// max is the longest white-space run passed on (0: maxSpaceRun).
	max int
	// n is how many bytes were read from the input, out how many were
	// passed on.
	n, out int64
	// State at the end of what was read so far: inside a string or not,
	// the length of the white-space run it ends in, and of the run of
	// backslashes it ends in.
	inString     bool
	run, slashes int
	cuts         []squeezeCut
}

// squeezeCut: before output offset at, dropped bytes had been dropped in all.
type squeezeCut struct{ at, dropped int64 }

// maxSpaceRun is the longest white-space run passed on.
const maxSpaceRun = 4 << 10

// maxExactOffsetBytes bounds the facts files LoadFacts reads whole again to
// give the exact offset of a syntax error.
const maxExactOffsetBytes = 64 << 20

var (
	quoteByte   = []byte{'"'}
	escapeQuote = []byte{'\\', '"'}
)

func (s *squeezeReader) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		s.n += int64(n)
		w := s.squeeze(p[:n])
		if w > 0 || err != nil || n == 0 {
			return w, err
		}
		// Everything read was dropped: read on.
	}
}

// squeeze filters the chunk p in place and returns the length kept.
func (s *squeezeReader) squeeze(p []byte) int {
	if len(p) == 0 {
		return 0
	}
	max := s.max
	if max <= 0 {
		max = maxSpaceRun
	}
	var drops [][2]int
	// The run the chunk starts with continues the one before it.
	lead := 0
	for lead < len(p) && jsonSpace(p[lead]) {
		lead++
	}
	if !s.inString && s.run+lead > max {
		drops = append(drops, [2]int{min(lead, maxInt(0, max-s.run)), lead})
	}
	for k := lead + max; k < len(p); {
		if !jsonSpace(p[k]) {
			k += max
			continue
		}
		a, b := k, k+1
		for a > lead && jsonSpace(p[a-1]) {
			a--
		}
		for b < len(p) && jsonSpace(p[b]) {
			b++
		}
		if b-a > max && !s.inStringAt(p, a) {
			drops = append(drops, [2]int{a + max, b})
		}
		k = b + max
	}
	// State at the end of the chunk.
	endInString := s.inStringAt(p, len(p))
	trail := 0
	for trail < len(p) && jsonSpace(p[len(p)-1-trail]) {
		trail++
	}
	slashes := 0
	for slashes < len(p) && p[len(p)-1-slashes] == '\\' {
		slashes++
	}
	switch {
	case trail == len(p):
		s.run += trail
	case endInString:
		s.run = 0
	default:
		s.run = trail
	}
	if slashes == len(p) {
		s.slashes += slashes
	} else {
		s.slashes = slashes
	}
	s.inString = endInString
	// Drop.
	w, from := 0, 0
	for _, d := range drops {
		w += copy(p[w:], p[from:d[0]])
		s.dropAt(s.out+int64(w), int64(d[1]-d[0]))
		from = d[1]
	}
	if from > 0 {
		w += copy(p[w:], p[from:])
	} else {
		w = len(p)
	}
	s.out += int64(w)
	return w
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// inStringAt reports whether p[end] (or the end of the chunk) is inside a
// string: the state at the chunk's start flipped by every quote before end
// that no odd run of backslashes escapes.
func (s *squeezeReader) inStringAt(p []byte, end int) bool {
	quotes := bytes.Count(p[:end], quoteByte)
	if end > 0 && p[0] == '"' && s.slashes%2 == 1 {
		quotes-- // escaped by backslashes the chunk before ended in
	}
	for j := 0; j < end; {
		k := bytes.Index(p[j:end], escapeQuote)
		if k < 0 {
			break
		}
		x := j + k // p[x] is '\\', p[x+1] is '"'
		run := 0
		for b := x; b >= 0 && p[b] == '\\'; b-- {
			run++
		}
		if run == x+1 {
			run += s.slashes
		}
		if run%2 == 1 {
			quotes--
		}
		j = x + 2
	}
	return s.inString != (quotes%2 == 1)
}

// dropAt records n bytes dropped before output offset at.
func (s *squeezeReader) dropAt(at, n int64) {
	var before int64
	if k := len(s.cuts); k > 0 {
		before = s.cuts[k-1].dropped
		if s.cuts[k-1].at == at {
			s.cuts[k-1].dropped += n
			return
		}
	}
	s.cuts = append(s.cuts, squeezeCut{at: at, dropped: before + n})
}

// rawOffset maps an offset in the output to the offset in the input.
func (s *squeezeReader) rawOffset(off int64) int64 {
	// The last cut at or before off.
	i := sort.Search(len(s.cuts), func(i int) bool { return s.cuts[i].at > off }) - 1
	if i < 0 {
		return off
	}
	return off + s.cuts[i].dropped
}
