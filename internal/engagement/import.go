package engagement

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"ccg/internal/importing"
)

// KindQuestionnaire is the import kind of a questionnaire file.
const KindQuestionnaire = "questionnaire"

// maxQuestionnaire bounds a questionnaire file.
const maxQuestionnaire = 1 << 20

// QuestionnaireImport reads a questionnaire written by the CCG in its own
// words (JSON, in the form of the questionnaire ccg ships: see
// DefaultQuestionnaireJSON) and stores it as a new survey, ready for waves.
type QuestionnaireImport struct {
	svc *Service
	by  func(ctx context.Context) PersonID
}

// NewQuestionnaireImport returns the handler; by names the person importing
// (0 when unknown). svc may be nil when the handler only describes itself.
func NewQuestionnaireImport(svc *Service, by func(ctx context.Context) PersonID) *QuestionnaireImport {
	return &QuestionnaireImport{svc: svc, by: by}
}

// Kind implements importing.Handler.
func (h *QuestionnaireImport) Kind() string { return KindQuestionnaire }

// Describe implements importing.Handler.
func (h *QuestionnaireImport) Describe() string {
	return "member voice questionnaire (JSON: dimensions, sections and items), stored as a new survey"
}

// Load implements importing.Handler: one file is one questionnaire, one
// row, and a new survey.
func (h *QuestionnaireImport) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	if h.svc == nil {
		return fmt.Errorf("engagement: import %s: the engagement service is not available", src.Name)
	}
	b, err := io.ReadAll(io.LimitReader(src.Reader(), maxQuestionnaire+1))
	if err != nil {
		return fmt.Errorf("engagement: import %s: %w", src.Name, err)
	}
	if len(b) > maxQuestionnaire {
		return src.Errorf(0, 0, "the file is larger than %d KB; is it a questionnaire?", maxQuestionnaire>>10)
	}
	rec.Row()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var q Questionnaire
	if err := dec.Decode(&q); err != nil {
		line, col := 1, 1
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col = position(b, se.Offset)
		case errors.As(err, &te):
			line, col = position(b, te.Offset)
		}
		return src.Errorf(line, col, "not a questionnaire: %v", err)
	}
	if err := q.Validate(); err != nil {
		return src.Errorf(0, 0, "%v", err)
	}
	title := strings.TrimSpace(q.Title)
	if title == "" {
		title = strings.TrimSuffix(path.Base(src.Name), path.Ext(src.Name))
	}
	var by PersonID
	if h.by != nil {
		by = h.by(ctx)
	}
	sv, err := h.svc.CreateSurvey(ctx, by, title, q)
	if err != nil {
		return fmt.Errorf("engagement: import %s: %w", src.Name, err)
	}
	rec.Accept(1)
	rec.Note("survey %d %q: %d dimensions, %d questions", sv.ID, sv.Title, len(q.Dimensions), len(q.Items()))
	return nil
}

// position turns a byte offset into a line and column (both from 1).
func position(b []byte, off int64) (line, col int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line, col = 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
