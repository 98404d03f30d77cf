package main

// Output files: written through a temporary file in the same folder and
// renamed into place, so a failed or interrupted run never leaves a
// half-written report, with the permissions the user expects, and no
// temporary file left behind even when the run is killed.

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// tempMark is in the name of every temporary output file:
// .<name>.espreflight-tmp-<pid>-<random>. The pid tells a later run whether
// the writer is gone, so it can remove a file a killed run left.
const tempMark = ".espreflight-tmp-"

// staleAge is the age after which a temporary file whose writer cannot be
// told (the format of earlier versions: .<name>.tmp-<random>) is removed.
const staleAge = time.Hour

// writeFileAtomic writes a file through a temporary file in the same folder
// and renames it into place. A new file gets the permissions of the user's
// umask (0666 minus it), a replaced file keeps its own. Temporary files of
// earlier runs that were killed are removed first.
//
// A path that is a device, a pipe or a socket (-o /dev/null, -o /dev/stdout,
// a FIFO) is written to as it is: renaming a file over it would replace
// the device itself (run as root, -o /dev/null would leave /dev/null a
// regular file).
func writeFileAtomic(path string, write func(io.Writer) error) error {
	dir, base := filepath.Dir(path), filepath.Base(path)
	perm, keep := os.FileMode(0o666), false
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		perm, keep = st.Mode().Perm(), true
	} else if err == nil && st.Mode()&(os.ModeDevice|os.ModeNamedPipe|os.ModeSocket|os.ModeCharDevice) != 0 {
		return writeSpecial(path, write)
	}
	removeStaleTemps(dir, base)
	// The kernel applies the umask to perm; a replaced file's mode is then
	// set as it was, whatever the umask.
	tmp, err := createTemp(dir, base, perm)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	pending.add(name)
	defer func() {
		os.Remove(name) // gone already after a successful rename
		pending.remove(name)
	}()
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if keep {
		if err := os.Chmod(name, perm); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeSpecial writes to a device, pipe or socket in place.
func writeSpecial(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// createTemp creates a new temporary file for base in dir with perm (before
// the umask).
func createTemp(dir, base string, perm os.FileMode) (*os.File, error) {
	prefix := "." + base + tempMark + strconv.Itoa(os.Getpid()) + "-"
	var err error
	for range 100 {
		var f *os.File
		f, err = os.OpenFile(filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 36)), os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !os.IsExist(err) {
			return f, err
		}
	}
	return nil, err
}

// removeStaleTemps removes the temporary files for base in dir that a run
// which is no longer running left behind (killed before it could clean up).
func removeStaleTemps(dir, base string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	mine, legacy := "."+base+tempMark, "."+base+".tmp-"
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, mine):
			pidText, _, _ := strings.Cut(strings.TrimPrefix(name, mine), "-")
			pid, err := strconv.Atoi(pidText)
			if err != nil || pid == os.Getpid() || processAlive(pid) {
				continue
			}
		case strings.HasPrefix(name, legacy):
			info, err := e.Info()
			if err != nil || time.Since(info.ModTime()) < staleAge {
				continue
			}
		default:
			continue
		}
		if e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, name))
		}
	}
}

// tempFiles are the temporary files being written, removed when a second
// signal ends the run at once (removeAll).
type tempFiles struct {
	mu    sync.Mutex
	names map[string]bool
}

var pending = &tempFiles{names: map[string]bool{}}

func (t *tempFiles) add(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.names[name] = true
}

func (t *tempFiles) remove(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.names, name)
}

func (t *tempFiles) removeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for name := range t.names {
		os.Remove(name)
		delete(t.names, name)
	}
}
