package probe

import (
	"reflect"
	"testing"
)

// TestReindexTrustSettings: the reindex.ssl settings that decide whom reindex
// from remote trusts reach the settings fact as the union over nodes, in the
// nested shape the nodes info API answers; a cluster that sets none has no
// such key (the default: the JDK's trust store).
func TestReindexTrustSettings(t *testing.T) {
	body := `{"nodes":{
	  "n1":{"settings":{"reindex":{"remote":{"whitelist":"a:9200"},"ssl":{"certificate_authorities":["/etc/es/ca.pem"],"verification_mode":"full"}}}},
	  "n2":{"settings":{"reindex":{"ssl":{"certificate_authorities":"/etc/es/ca2.pem"}}}}}}`
	nodeSet, err := decodeNodeSettings(decoderFor(t, body))
	if err != nil {
		t.Fatal(err)
	}
	d := &detected{Product: "elasticsearch", Version: &Version{Number: "7.17.0", Major: 7, Minor: 17}}
	s := buildSettings(d, nodeSet, nil)
	want := map[string]any{
		"reindex.remote.whitelist":            []string{"a:9200"},
		"reindex.ssl.certificate_authorities": []string{"/etc/es/ca.pem", "/etc/es/ca2.pem"},
		"reindex.ssl.verification_mode":       []string{"full"},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("settings = %#v, want %#v", s, want)
	}
	none, err := decodeNodeSettings(decoderFor(t, `{"nodes":{"n1":{"settings":{"reindex":{"remote":{"whitelist":"a:9200"}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range reindexTrustKeys {
		if _, ok := buildSettings(d, none, nil)[k]; ok {
			t.Errorf("%s present although no node sets it", k)
		}
	}
}
