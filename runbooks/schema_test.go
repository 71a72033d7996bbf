package runbooks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/goccy/go-yaml"
)

func TestSchemaCoversTheFormat(t *testing.T) {
	var doc map[string]any
	schema, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(schema, &doc); err != nil {
		t.Fatalf("the schema is not JSON: %v", err)
	}
	props := doc["properties"].(map[string]any)
	if got := sortedKeys(props); !slices.Equal(got, sorted(topKeys)) {
		t.Errorf("top-level properties = %v, the loader knows %v", got, sorted(topKeys))
	}
	step := props["steps"].(map[string]any)["items"].(map[string]any)
	if got := sortedKeys(step["properties"].(map[string]any)); !slices.Equal(got, sorted(stepKeys)) {
		t.Errorf("step properties = %v, the loader knows %v", got, sorted(stepKeys))
	}
	if n := len(step["allOf"].([]any)); n != len(Types) {
		t.Errorf("the schema has parameter rules for %d step types, the catalogue has %d", n, len(Types))
	}
}

// TestSchemaAgreesWithTheLoader checks the schema on runbooks the loader
// accepts (they must pass) and on ones it refuses for their shape (they
// must fail), with a small validator for the keywords Schema uses.
func TestSchemaAgreesWithTheLoader(t *testing.T) {
	raw, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	good, _ := filepath.Glob("testdata/good/*.yaml")
	good = append(good, "library/caa50021.yaml")
	for _, file := range good {
		if err := validate(schema, yamlValue(t, file), "$"); err != nil {
			t.Errorf("%s: the loader accepts it, the schema refuses it: %v", file, err)
		}
	}
	for _, file := range []string{"testdata/params.yaml", "testdata/missing-keys.yaml", "testdata/bad-names.yaml", "testdata/bad-durations.yaml"} {
		if err := validate(schema, yamlValue(t, file), "$"); err == nil {
			t.Errorf("%s: the loader refuses it, the schema accepts it", file)
		}
	}
}

func yamlValue(t *testing.T, file string) any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var v any
	if err := json.Unmarshal(j, &v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return v
}

// validate implements the JSON Schema keywords Schema emits.
func validate(s map[string]any, v any, at string) error {
	if alts, ok := s["anyOf"].([]any); ok {
		var errs []error
		for _, a := range alts {
			err := validate(a.(map[string]any), v, at)
			if err == nil {
				return nil
			}
			errs = append(errs, err)
		}
		return fmt.Errorf("%s: matches none of %d alternatives: %v", at, len(alts), errs)
	}
	if c, ok := s["const"]; ok && c != v {
		return fmt.Errorf("%s: %v is not %v", at, v, c)
	}
	if e, ok := s["enum"]; ok && !slices.Contains(e.([]any), v) {
		return fmt.Errorf("%s: %v is not one of %v", at, v, e)
	}
	if t, ok := s["type"].([]any); ok {
		if v == nil && slices.Contains(t, any("null")) {
			return nil
		}
		s = withType(s, t[0])
	}
	if m, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		for _, r := range asList(s["required"]) {
			if _, ok := m[r.(string)]; !ok {
				return fmt.Errorf("%s: %s is required", at, r)
			}
		}
		for k, val := range m {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if s["additionalProperties"] == false {
					return fmt.Errorf("%s: unknown key %s", at, k)
				}
				continue
			}
			if err := validate(ps, val, at+"."+k); err != nil {
				return err
			}
		}
	}
	switch s["type"] {
	case "object":
		if _, ok := v.(map[string]any); !ok {
			return fmt.Errorf("%s: not an object", at)
		}
	case "array":
		list, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: not an array", at)
		}
		if min, ok := s["minItems"].(float64); ok && float64(len(list)) < min {
			return fmt.Errorf("%s: fewer than %v items", at, min)
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, it := range list {
				if err := validate(items, it, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: %v is not a string", at, v)
		}
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			return fmt.Errorf("%s: %q does not match %s", at, str, p)
		}
	case "integer":
		n, ok := v.(float64)
		if !ok || n != float64(int64(n)) {
			return fmt.Errorf("%s: %v is not an integer", at, v)
		}
		if min, ok := s["minimum"].(float64); ok && n < min {
			return fmt.Errorf("%s: %v is below %v", at, n, min)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: %v is not a boolean", at, v)
		}
	}
	for _, rule := range asList(s["allOf"]) {
		r := rule.(map[string]any)
		if validate(r["if"].(map[string]any), v, at) == nil {
			if err := validate(r["then"].(map[string]any), v, at); err != nil {
				return err
			}
		}
	}
	return nil
}

// withType returns s with "type" set to one type.
func withType(s map[string]any, t any) map[string]any {
	c := make(map[string]any, len(s))
	for k, v := range s {
		c[k] = v
	}
	c["type"] = t
	return c
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}
