package probe

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// fastIndexCases are elements of every shape fastIndex takes and of the
// shapes it must leave to encoding/json.
var fastIndexCases = []string{
	`{}`, ` { } `, `{"name":"a"}`, "{\n  \"name\": \"a\",\n  \"status\": \"open\"\n}",
	`{"name":"a","status":"open","health":"green","hidden":true,"system":false,"data_stream":"ds","docs_count":12,"store_bytes":0,` +
		`"primary_store_bytes":-3,"primary_shards":5,"replicas":1,"created_version":"6.8.23","created_product":"elasticsearch",` +
		`"created_id":6082399,"created_major":6,"created_minor":8,"creation_date":"2024-01-01T00:00:00Z"}`,
	`{"name":"a","name":"b"}`, `{"name":"a","name":null}`, `{"hidden":true,"hidden":null}`, `{"docs_count":null}`,
	`{"name":"ü€😀"}`, `{"name":"bad-` + "\xff" + `"}`, `{"name":"a\"b"}`, `{"name":"\u0061"}`, `{"Name":"a"}`, `{"NAME":"a"}`,
	`{"náme":"a"}`, `{"other":1}`, `{"name":1}`, `{"docs_count":"1"}`, `{"docs_count":1.5}`, `{"docs_count":1e3}`,
	`{"docs_count":1E3}`, `{"docs_count":-0}`, `{"docs_count":01}`, `{"docs_count":-}`, `{"docs_count":123456789012345678}`,
	`{"docs_count":1234567890123456789}`, `{"docs_count":99999999999999999999}`, `{"hidden":"true"}`, `{"hidden":1}`,
	`{"hidden":tru}`, `{"hidden":nul}`, `{"hidden":nullx}`, `{"name":"a",}`, `{"name":"a" "status":"open"}`, `{"name" "a"}`,
	`{"name":"a"}}`, `{"name":"a"`, `{"name":"a` + "\t" + `b"}`, `{"name":["a"]}`, `{"name":{"a":1}}`, `{"name":"a","x":{"y":[1]}}`,
	`null`, `1`, `"x"`, `[]`, `{"name":"a"} x`, `{"primary_shards":3,"replicas":2}`, `{"created_minor":-1}`,
}

// TestFastIndex: whatever fastIndex reads, encoding/json reads the same
// way (and without error); what it does not read is left to encoding/json.
func TestFastIndex(t *testing.T) {
	taken := 0
	for _, c := range fastIndexCases {
		if requireFastIndexAgrees(t, []byte(c)) {
			taken++
		}
	}
	if taken < 10 {
		t.Errorf("fastIndex took only %d of the cases", taken)
	}
}

// requireFastIndexAgrees reports whether fastIndex read b.
func requireFastIndexAgrees(t *testing.T, b []byte) bool {
	t.Helper()
	var got Index
	if !fastIndex(b, &got, map[string]string{}) {
		return false
	}
	var want Index
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&want); err != nil {
		t.Fatalf("fastIndex read %q, which encoding/json refuses: %v", b, err)
	}
	if d.More() {
		t.Fatalf("fastIndex read %q, which has more than one value", b)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fastIndex read %q as %+v, encoding/json as %+v", b, got, want)
	}
	return true
}

func FuzzFastIndex(f *testing.F) {
	for _, c := range fastIndexCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) { requireFastIndexAgrees(t, b) })
}

// TestFastIndexKnowsEveryField fails when Index gets a field that fastIndex
// does not read (it would leave every index to encoding/json, silently
// slow) or reads a key that is no field.
func TestFastIndexKnowsEveryField(t *testing.T) {
	if got, want := strings.Join(indexFieldNames, ","), strings.Join(jsonNames(reflect.TypeFor[Index]()), ","); got != want {
		t.Fatalf("fastIndex reads %s; Index has %s", got, want)
	}
	for _, name := range indexFieldNames {
		var ix Index
		if !fastIndex([]byte(`{"`+name+`":null}`), &ix, nil) {
			t.Errorf("fastIndex does not read %q", name)
		}
	}
}
