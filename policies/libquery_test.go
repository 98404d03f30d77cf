package policies

import (
	"context"
	"testing"

	"github.com/espreflight/espreflight/probe"
)

// TestRestoreVerdicts: the one query answers every pair in order, from the
// same matrix as the VER rules (its cases are in lib_test.rego).
func TestRestoreVerdicts(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	es := func(major, minor int) Release { return Release{"elasticsearch", major, minor} }
	os := func(major, minor int) Release { return Release{"opensearch", major, minor} }
	cases := []struct {
		pair RestorePair
		want string
	}{
		{RestorePair{es(6, 8), es(7, 17)}, RestoreYes},
		{RestorePair{es(6, 8), es(8, 15)}, RestoreArchive},
		{RestorePair{es(6, 8), es(7, 1)}, RestoreNo},
		{RestorePair{es(7, 17), es(7, 10)}, RestoreNo},
		{RestorePair{es(8, -1), es(8, 15)}, RestoreYes},
		{RestorePair{es(7, 10), os(2, 19)}, RestoreYes},
		{RestorePair{es(7, 17), os(2, 19)}, RestoreNo},
		{RestorePair{os(2, 19), es(8, 15)}, RestoreNo},
	}
	pairs := make([]RestorePair, len(cases))
	for i, c := range cases {
		pairs[i] = c.pair
	}
	got, err := e.RestoreVerdicts(context.Background(), pairs)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("%+v → %+v: %q, want %q", c.pair.Created, c.pair.Target, got[i], c.want)
		}
	}
	if v, err := e.RestoreVerdicts(context.Background(), nil); err != nil || v != nil {
		t.Errorf("no pairs: %v, %v", v, err)
	}
}

// TestArchitecture: the architecture the rules see, explicit or from the
// creation date (lib.architecture), and "" when neither says.
func TestArchitecture(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		spec probe.ClusterSpec
		want string
	}{
		{probe.ClusterSpec{Kind: "alibaba", Created: "2019-05-01"}, "original"},
		{probe.ClusterSpec{Kind: "alibaba", Created: "2020-10-01"}, "new"},
		{probe.ClusterSpec{Kind: "alibaba", Created: "2019-05-01", Architecture: "new"}, "new"},
		{probe.ClusterSpec{Kind: "alibaba"}, ""},
	}
	for _, c := range cases {
		spec := c.spec
		got, err := e.Architecture(context.Background(), &probe.Plan{Source: &spec}, probe.RoleSource)
		if err != nil || got != c.want {
			t.Errorf("%+v: %q, %v; want %q", c.spec, got, err, c.want)
		}
	}
}
