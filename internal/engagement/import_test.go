package engagement

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ccg/internal/importing"
)

func TestQuestionnaireImport(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		wantErr string // "" for success
	}{
		{"the shipped questionnaire", string(DefaultQuestionnaireJSON()), ""},
		{"broken JSON names the line", "{\n  \"title\": \"x\",\n  \"sections\": [,]\n}", "q.json:3:"},
		{"a misspelt field is refused", `{"title": "x", "reversed": true}`, "unknown field"},
		{"an empty questionnaire is refused", `{"title": "x", "dimensions": [], "sections": []}`, "q.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			h := NewQuestionnaireImport(f.svc, func(context.Context) PersonID { return 7 })
			if h.Kind() != KindQuestionnaire || h.Describe() == "" {
				t.Fatal("handler does not name itself")
			}
			rec := &importing.Recorder{}
			err := h.Load(context.Background(), importing.NewSource("q.json", strings.NewReader(tc.file)), rec)
			svs, _ := f.svc.Surveys(context.Background())
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if read, accepted, _ := rec.Counts(); read != 1 || accepted != 1 || len(svs) != 1 || svs[0].CreatedBy != 7 || svs[0].Title != "Member voice survey" {
					t.Fatalf("read %d accepted %d surveys %+v", read, accepted, svs)
				}
				return
			}
			var fe *importing.FileError
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &fe) {
				t.Fatalf("error %v, want a file error containing %q", err, tc.wantErr)
			}
			if len(svs) != 0 {
				t.Fatalf("a bad file stored a survey")
			}
		})
	}
}
