package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/formats/internal/formatstest"
	"ccg/internal/registry"
)

// The national practice file for August 2018 imports cleanly, and quickly.
func TestRealEpraccur2018(t *testing.T) {
	data := sharedData(t)
	w := formatstest.New(t)
	path := filepath.Join(data, "ods", "epraccur_20180831.csv")
	start := time.Now()
	sum := w.MustLoad(t, "ods-practices", path)
	took := time.Since(start)
	t.Logf("epraccur_20180831.csv: %d rows read, %d accepted, %d rejected, %d changed in %s", sum.Read, sum.Accepted, sum.Rejected, sum.Changed, took.Round(time.Millisecond))
	for _, n := range sum.Notes {
		t.Logf("note: %s", n)
	}
	if sum.Read != 13956 || sum.Accepted != 13956 || sum.Rejected != 0 {
		t.Errorf("read %d accepted %d rejected %d, want 13956 13956 0 (first rejections %+v)", sum.Read, sum.Accepted, sum.Rejected, sum.Rejections)
	}
	if took > 60*time.Second {
		t.Errorf("the import took %s; it should take seconds", took)
	}
	counts, err := w.Store.CountOrganisations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[registry.KindPractice] != 8190 || counts[registry.KindPractice]+counts[registry.KindPrescriber] != 13956 {
		t.Errorf("counts %v, want 8190 practices of 13956", counts)
	}
	t.Run("same file again", func(t *testing.T) {
		again := w.MustLoad(t, "ods-practices", path)
		if !again.AlreadyImported {
			t.Error("imported twice")
		}
	})
}

func TestRealEpraccur2015(t *testing.T) {
	data := sharedData(t)
	w := formatstest.New(t)
	sum := w.MustLoad(t, "ods-practices", filepath.Join(data, "ods", "epraccur_20150526.csv"))
	if sum.Read != 12705 || sum.Accepted != 12705 || sum.Rejected != 0 {
		t.Errorf("read %d accepted %d rejected %d, want 12705 12705 0 (%+v)", sum.Read, sum.Accepted, sum.Rejected, sum.Rejections)
	}
}

// The 2015 and 2018 national files, imported in either order, give the same
// relationships.
func TestRealSnapshotsInEitherOrder(t *testing.T) {
	data := sharedData(t)
	older := filepath.Join(data, "ods", "epraccur_20150526.csv")
	newer := filepath.Join(data, "ods", "epraccur_20180831.csv")
	ra, rb := eitherOrder(t, older, newer)
	if !slices.Equal(ra, rb) {
		for i := range min(len(ra), len(rb)) {
			if ra[i] != rb[i] {
				t.Fatalf("%d and %d relationships; first difference at %d:\nold then new %s\nnew then old %s", len(ra), len(rb), i, ra[i], rb[i])
			}
		}
		t.Fatalf("%d and %d relationships", len(ra), len(rb))
	}
	t.Logf("%d relationships either way", len(ra))
	// A practice that changed commissioner between the two files has both
	// memberships, the first closed when the second began.
	moved := 0
	for _, r := range ra {
		if parts := strings.Split(r, "|"); parts[4] != "" && parts[1] == "member-of" {
			moved++
		}
	}
	if moved == 0 {
		t.Error("no membership ended: the files' history was lost")
	}
}

// The small matching set: regions and area teams, CCGs, practices, and their
// list sizes in both the quinary and the older layout.
func TestRealSampleSet(t *testing.T) {
	data := sharedData(t)
	ctx := context.Background()
	w := formatstest.New(t)
	steps := []struct {
		kind, file               string
		read, accepted, rejected int
	}{
		{"ods-regions", "ods/eauth_2017_08.csv", 31, 29, 2}, // W00 and W01 are Welsh bodies, not English regions
		{"ods-commissioners", "ods/eccg_2017_08_sample.csv", 2, 2, 0},
		{"ods-practices", "ods/epraccur_2017_08_sample.csv", 4, 4, 0},
		{"list-sizes", "listsize/gp-reg-pat-prac-quin-age_2017_09_sample.csv", 172, 172, 0},
		{"list-sizes", "listsize/gp-reg-pat-prac-quin-age_2017_10_sample.csv", 172, 172, 0},
		{"list-sizes", "listsize/patient_list_size_legacy_sample.csv", 1, 1, 0},
	}
	for _, s := range steps {
		t.Run(filepath.Base(s.file), func(t *testing.T) {
			sum := w.MustLoad(t, s.kind, filepath.Join(data, s.file))
			if sum.Read != s.read || sum.Accepted != s.accepted || sum.Rejected != s.rejected {
				t.Errorf("read %d accepted %d rejected %d, want %d %d %d (%+v)", sum.Read, sum.Accepted, sum.Rejected, s.read, s.accepted, s.rejected, sum.Rejections)
			}
			for _, n := range sum.Notes {
				t.Logf("note: %s", n)
			}
		})
	}
	t.Run("hierarchy", func(t *testing.T) {
		tests := []struct {
			child string
			kind  registry.RelationKind
			want  string
		}{
			{"L84073", registry.RelMemberOf, "11M"},
			{"B85010", registry.RelMemberOf, "03A"},
			{"11M", registry.RelAccountableTo, "Q82"},
			{"Q82", registry.RelAccountableTo, "Y57"},
		}
		for _, tt := range tests {
			o, err := w.Registry.ParentOn(ctx, tt.child, tt.kind, calendar.MustDate("2017-09-01"))
			if err != nil || o.Code != tt.want {
				t.Errorf("%s %s on 2017-09-01: %s, %v; want %s", tt.child, tt.kind, o.Code, err, tt.want)
			}
		}
	})
	t.Run("43 rows per practice and month", func(t *testing.T) {
		for _, m := range []string{"2017-09", "2017-10"} {
			sizes, err := w.Store.ListSizesForMonth(ctx, calendar.MustMonth(m))
			if err != nil {
				t.Fatal(err)
			}
			per := map[string]int{}
			for _, s := range sizes {
				per[s.Practice]++
			}
			if len(per) != 4 {
				t.Errorf("%s: %d practices, want 4", m, len(per))
			}
			for p, n := range per {
				if n != 43 {
					t.Errorf("%s %s: %d rows, want 43", m, p, n)
				}
			}
		}
		sizes, err := w.Store.ListSizes(ctx, "B85010", calendar.MustMonth("2017-09"), calendar.MustMonth("2017-09"))
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(sizes, func(s registry.ListSize) bool { return s.Sex == registry.SexAll && s.AgeBand == registry.AgeAll })
		if i < 0 || sizes[i].Patients != 6939 {
			t.Errorf("B85010 2017-09 all patients: %+v", sizes)
		}
	})
	t.Run("legacy layout", func(t *testing.T) {
		sizes, err := w.Store.ListSizes(ctx, "P84034", calendar.Month{}, calendar.Month{})
		if err != nil {
			t.Fatal(err)
		}
		if len(sizes) != 21 {
			t.Fatalf("%d rows for P84034, want 18 bands and 3 totals: %+v", len(sizes), sizes)
		}
		want := map[string]int{"male 0-4": 364, "female 0-4": 347, "male 75+": 284, "female 75+": 486, "male all": 6448, "female all": 6394, "all all": 12842}
		for _, s := range sizes {
			if s.Month != calendar.MustMonth("2011-04") {
				t.Errorf("month %s, want 2011-04", s.Month)
			}
			if n, ok := want[string(s.Sex)+" "+s.AgeBand]; ok && n != s.Patients {
				t.Errorf("%s %s: %d, want %d", s.Sex, s.AgeBand, s.Patients, n)
			}
		}
	})
}

// The trusts file has the same layout as the practice file but no status and
// no prescribing setting: given as practices, every row is rejected and the
// import service refuses it.
func TestRealTrustsAreNotPractices(t *testing.T) {
	data := sharedData(t)
	w := formatstest.New(t)
	_, err := w.Load(t, "ods-practices", filepath.Join(data, "ods", "etr_20180831.csv"))
	if err == nil || !strings.Contains(err.Error(), "234 of 234 rows rejected, so this does not look like a ods-practices file") {
		t.Errorf("got %v", err)
	}
	if n := w.Count(t, "organisations"); n != 0 {
		t.Errorf("%d organisations stored", n)
	}
}

// Damaged copies of the real national file fail naming the place, and leave
// the store exactly as it was.
func TestRealDamagedCopies(t *testing.T) {
	data := sharedData(t)
	real, err := os.ReadFile(filepath.Join(data, "ods", "epraccur_20180831.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lineStart := func(n int) int { // byte offset of line n (from 1)
		off := 0
		for range n - 1 {
			off += bytes.IndexByte(real[off:], '\n') + 1
		}
		return off
	}
	line7000 := lineStart(7000)
	row := real[line7000 : line7000+bytes.IndexByte(real[line7000:], '\n')]
	fields := bytes.Count(row[:bytes.Index(row, []byte(`","`+"19"))], []byte(`","`)) + 1 // the fields before the open date
	betweenFields := line7000 + bytes.Index(row, []byte(`","19`)) + 1                    // just after the name..postcode fields' closing quote
	corrupt := bytes.Clone(real)
	corrupt[lineStart(5000)+19] = 0
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"cut inside a quoted field", real[:line7000+20], "epraccur_20180831.csv:7000:21: a quote is not closed or is misplaced (is the file cut short or damaged?)"},
		{"cut between fields", real[:betweenFields], "epraccur_20180831.csv:7000:" + strconv.Itoa(bytes.LastIndex(row[:betweenFields-line7000], []byte(`,"`))+2) +
			": row has " + strconv.Itoa(fields) + " columns, an ODS practice file (epraccur.csv) has 26 or 27 (is the file cut short?)"},
		{"a NUL byte", corrupt, "epraccur_20180831.csv:5000:20: byte 0x00 is not text: this is not a CSV file, or it is damaged"},
	}
	w := formatstest.New(t)
	w.MustLoad(t, "ods-regions", filepath.Join(data, "ods", "eauth_2017_08.csv"))
	w.MustLoad(t, "ods-practices", filepath.Join(data, "ods", "epraccur_2017_08_sample.csv"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "epraccur_20180831.csv")
			if err := os.WriteFile(path, tt.body, 0o600); err != nil {
				t.Fatal(err)
			}
			if got, want := w.Refuse(t, "ods-practices", path), "import ods-practices: "+tt.want; got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}
