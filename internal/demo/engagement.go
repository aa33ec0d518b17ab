package demo

import "ccg/internal/engagement"

// EngagementWorld is what the engagement part of the demo wrote.
type EngagementWorld struct {
	// Questionnaire is the path of the questionnaire file imported as the
	// demo's member voice survey.
	Questionnaire string
}

// writeEngagement writes the questionnaire the demo CCG uses (the one ccg
// ships) and queues its import; the waves, answers, consultations and
// questions are made through the engagement service after the imports,
// since anonymous answers have no file form.
func writeEngagement(b *builder) error {
	path, err := b.writeFile("engagement/member-voice-questionnaire.json", engagement.DefaultQuestionnaireJSON())
	if err != nil {
		return err
	}
	b.w.Engagement.Questionnaire = path
	b.step(engagement.KindQuestionnaire, path)
	return nil
}
