package runbooks

import (
	"encoding/json"
	"fmt"
)

// durationPattern matches what time.ParseDuration accepts without a sign:
// 90s, 5m, 1h30m, 1.5h.
const durationPattern = `^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))*$`

// topSchemas describes each top-level key; every key of topKeys has one
// (a test checks it), so a new key cannot be left out of the schema.
var topSchemas = map[string]map[string]any{
	"apiVersion": {"const": APIVersion},
	"kind":       {"const": KindName},
	"name":       {"type": "string", "pattern": namePattern.String(), "description": "the runbook's name; signatures and the version record are kept per name"},
	"version":    {"type": "integer", "minimum": 1, "description": "raised with every signed release"},
	"title":      {"type": "string"},
	"error":      {"type": "string", "description": "the error code the runbook fixes, e.g. CAA50021"},
	"expires": {
		"type":        "string",
		"pattern":     `^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))?$`,
		"description": "an RFC 3339 time or a date (valid through that day, UTC); past it the runbook is refused",
	},
	"detect": {
		"type":                 "object",
		"additionalProperties": false,
		"required":             []string{"uses"},
		"properties": map[string]any{
			"uses": map[string]any{"const": "aad.symptom"},
			"with": withSchema("aad.symptom"),
		},
	},
	"order": {
		"enum":        []string{OrderListed, OrderEvidence},
		"description": "listed (the default): the steps as written; evidence: the most likely cause's fix first, and none the evidence rules out",
	},
	"steps": {
		"type":     "array",
		"minItems": 1,
		"items":    stepSchema(),
	},
}

// Schema returns a JSON Schema (draft 2020-12) of runbook format v1, for
// editors: it checks the shape of a runbook (keys, types, step types and
// their parameters). It cannot express every rule of the loader (unique
// step ids, parameter ranges, credential prefixes), so "caafix runbook
// lint" stays the authority.
func Schema() ([]byte, error) {
	props := map[string]any{}
	for _, k := range topKeys {
		s, ok := topSchemas[k]
		if !ok {
			return nil, fmt.Errorf("runbooks: the schema has no entry for the top-level key %q", k)
		}
		props[k] = s
	}
	doc := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"title":                "caafix runbook, format " + APIVersion,
		"description":          "Checks a runbook's shape; run \"caafix runbook lint FILE\" for every rule.",
		"type":                 "object",
		"additionalProperties": false,
		"required":             required,
		"properties":           props,
	}
	return json.MarshalIndent(doc, "", "  ")
}

func stepSchema() map[string]any {
	var byType []any
	for _, t := range TypeNames() {
		byType = append(byType, map[string]any{
			"if":   map[string]any{"properties": map[string]any{"uses": map[string]any{"const": t}}, "required": []string{"uses"}},
			"then": map[string]any{"properties": map[string]any{"with": withSchema(t)}},
		})
	}
	return map[string]any{
		"type":                 "object",
		"additionalProperties": false,
		"required":             []string{"id", "uses"},
		"properties": map[string]any{
			"id":       map[string]any{"type": "string", "pattern": namePattern.String()},
			"uses":     map[string]any{"enum": TypeNames()},
			"with":     map[string]any{"type": []string{"object", "null"}},
			"timeout":  map[string]any{"type": "string", "pattern": durationPattern, "description": "a duration between 1s and 1h, e.g. 2m"},
			"rollback": map[string]any{"type": "string"},
		},
		"allOf": byType,
	}
}

// withSchema describes the parameters of step type uses.
func withSchema(uses string) map[string]any {
	props := map[string]any{}
	for _, p := range Types[uses] {
		props[p.Name] = kindSchema(p.Kind)
	}
	// An empty "with:" is null, which the loader reads as no parameters.
	return map[string]any{"type": []string{"object", "null"}, "additionalProperties": false, "properties": props}
}

func kindSchema(k ParamKind) map[string]any {
	switch k {
	case Duration:
		// time.ParseDuration also takes a bare 0, which YAML reads as a number.
		return map[string]any{"anyOf": []any{
			map[string]any{"type": "string", "pattern": durationPattern},
			map[string]any{"const": 0},
		}}
	case Int:
		return map[string]any{"type": "integer"}
	case Bool:
		return map[string]any{"type": "boolean"}
	case StringList:
		return map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
	default:
		return map[string]any{"type": "string"}
	}
}
