package governance

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
)

//go:embed defaults/constitution.json
var defaultConstitutionJSON []byte

// DefaultConstitution returns the default constitution of a CCG: a member
// council, a governing body, five locality groups, the audit, remuneration,
// primary care commissioning and quality committees, an unconflicted
// primary care commissioning panel as the alternate arrangement, and a
// scheme of delegation with a plain-language reason for every row. Bodies
// have no named members: a CCG adds its own (the member council and
// locality groups take their practices from the registry).
func DefaultConstitution() (Constitution, error) {
	return ParseConstitution(defaultConstitutionJSON)
}

// ParseConstitution reads a constitution from JSON (unknown fields are
// refused) and validates it.
func ParseConstitution(b []byte) (Constitution, error) {
	var c Constitution
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Constitution{}, invalid("governance: parse constitution: %v", err)
	}
	if err := c.Validate(); err != nil {
		return Constitution{}, fmt.Errorf("governance: parse constitution: %w", err)
	}
	return c, nil
}
