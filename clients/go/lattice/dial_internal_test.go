package lattice

import "testing"

func TestRetriesEnabled(t *testing.T) {
	for _, c := range []struct {
		version, env string
		want         bool
	}{
		{"1.33.3", "on", true},
		{"1.33.3", "ON", true},
		{"1.33.3", "", false},
		{"1.33.3", "off", false},
		{"1.41.0", "", false},
		{"1.42.0", "", true},
		{"1.60.1", "off", false},
	} {
		if got := retriesEnabled(c.version, c.env); got != c.want {
			t.Errorf("retriesEnabled(%q, %q) = %v, want %v", c.version, c.env, got, c.want)
		}
	}
}

func TestTheCodecEncodesTheGeneratedMessages(t *testing.T) {
	if err := codecWorks(); err != nil {
		t.Fatal(err)
	}
}
