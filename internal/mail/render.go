package mail

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	texttemplate "text/template"
)

// Link is a link in a message: words that say where it goes, and the full
// address (plain-text parts show both).
type Link struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// Section is a heading with a list of lines, each optionally a link.
type Section struct {
	Heading string
	Items   []Link // an item with no URL is plain text
}

// Content is what a message says, written the way the NHS.UK service
// manual's "Writing NHS messages" guidance asks: a short subject that says
// what it is about, the most important thing first (Lead), plain and short
// paragraphs, one main call to action (Action; any further Links are
// clearly secondary), links that say where they go (never "click here") and
// are printed in full in the plain-text part, and why the person is getting
// it. Render turns it into a plain-text and an HTML part that say the same;
// the HTML is one narrow column with inline styles (mail programs drop style
// sheets), large type and the NHS blue.
type Content struct {
	// From names who the message is from, shown above the lead ("NHS
	// Riverside CCG").
	From    string
	Subject string
	// Lead is the first paragraph: the one thing the person must know.
	Lead       string
	Paragraphs []string
	// Items is an optional bulleted list after the paragraphs.
	Items []string
	// Action is the main thing to do, shown as a prominent link.
	Action *Link
	// Links are further links, listed after the action.
	Links []Link
	// Sections are headed lists after the links (a monthly alert's
	// outliers, savings and data-quality flags); an empty section is left out.
	Sections []Section
	// After are paragraphs after the links (for example how long a link lasts).
	After []string
	// Why says why the person is getting this message.
	Why string
	// Unsubscribe and Preferences are filled in by Queue.
	Unsubscribe string
	Preferences string
}

var textTmpl = texttemplate.Must(texttemplate.New("text").Parse(`{{with .From}}{{.}}
{{end}}
{{.Lead}}
{{range .Paragraphs}}
{{.}}
{{end}}{{if .Items}}
{{range .Items}}- {{.}}
{{end}}{{end}}{{with .Action}}
{{.Text}}:
{{.URL}}
{{end}}{{range .Links}}
{{.Text}}:
{{.URL}}
{{end}}{{range .Sections}}{{if .Items}}
{{.Heading}}
{{range .Items}}- {{.Text}}{{with .URL}}
  {{.}}{{end}}
{{end}}{{end}}{{end}}{{range .After}}
{{.}}
{{end}}
--
{{with .Why}}{{.}}
{{end}}This is an automatic message: replies are not read.{{with .Preferences}}
Choose which messages you get:
{{.}}{{end}}{{with .Unsubscribe}}
Stop getting messages like this:
{{.}}{{end}}
`))

var htmlTmpl = template.Must(template.New("html").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:0;background:#f0f4f5;font-family:Arial,Helvetica,sans-serif;font-size:19px;line-height:1.47;color:#212b32">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f0f4f5"><tr><td align="center" style="padding:0">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff">
<tr><td style="background:#005eb8;color:#ffffff;padding:16px 24px;font-size:19px;font-weight:bold">{{if .From}}{{.From}}{{else}}NHS{{end}}</td></tr>
<tr><td style="padding:24px">
<p style="margin:0 0 16px;font-size:19px">{{.Lead}}</p>
{{range .Paragraphs}}<p style="margin:0 0 16px">{{.}}</p>
{{end}}{{if .Items}}<ul style="margin:0 0 16px;padding-left:24px">{{range .Items}}<li style="margin-bottom:8px">{{.}}</li>{{end}}</ul>
{{end}}{{with .Action}}<p style="margin:24px 0"><a href="{{.URL}}" style="display:inline-block;background:#007f3b;color:#ffffff;font-weight:bold;padding:12px 16px;text-decoration:none;border-radius:4px">{{.Text}}</a></p>
{{end}}{{if .Links}}<ul style="margin:0 0 16px;padding-left:24px">{{range .Links}}<li style="margin-bottom:8px"><a href="{{.URL}}" style="color:#005eb8">{{.Text}}</a></li>{{end}}</ul>
{{end}}{{range .Sections}}{{if .Items}}<h2 style="margin:24px 0 8px;font-size:22px">{{.Heading}}</h2>
<ul style="margin:0 0 16px;padding-left:24px">{{range .Items}}<li style="margin-bottom:8px">{{if .URL}}<a href="{{.URL}}" style="color:#005eb8">{{.Text}}</a>{{else}}{{.Text}}{{end}}</li>{{end}}</ul>
{{end}}{{end}}{{range .After}}<p style="margin:0 0 16px">{{.}}</p>
{{end}}</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #d8dde0;font-size:16px;color:#4c6272">
{{with .Why}}<p style="margin:0 0 8px">{{.}}</p>{{end}}
<p style="margin:0 0 8px">This is an automatic message: replies are not read.</p>
{{with .Preferences}}<p style="margin:0 0 8px"><a href="{{.}}" style="color:#005eb8">Choose which messages you get</a></p>{{end}}
{{with .Unsubscribe}}<p style="margin:0"><a href="{{.}}" style="color:#005eb8">Stop getting messages like this</a></p>{{end}}
</td></tr>
</table></td></tr></table>
</body>
</html>
`))

// Render returns the plain-text and HTML parts of c.
func Render(c Content) (text, html string, err error) {
	if strings.TrimSpace(c.Subject) == "" || strings.TrimSpace(c.Lead) == "" {
		return "", "", fmt.Errorf("mail: render: a message needs a subject and a first line")
	}
	var t, h bytes.Buffer
	if err := textTmpl.Execute(&t, c); err != nil {
		return "", "", fmt.Errorf("mail: render text: %w", err)
	}
	if err := htmlTmpl.Execute(&h, c); err != nil {
		return "", "", fmt.Errorf("mail: render html: %w", err)
	}
	return t.String(), h.String(), nil
}
