package executor

import (
	"testing"

	"github.com/caafix/caafix/policy"
	"github.com/caafix/caafix/steps"
)

// The run resumes at the user's logon only when a user step is left to
// run after the restart; system steps resume at boot.
func TestResumeUser(t *testing.T) {
	t.Parallel()
	user := policy.Decision{Verdict: policy.Allow, Context: steps.ContextUser}
	system := policy.Decision{Verdict: policy.Allow, Context: steps.ContextSystem}
	blockedUser := policy.Decision{Verdict: policy.Block, Context: steps.ContextUser}
	skippedUser := policy.Decision{Verdict: policy.Skip, Context: steps.ContextUser}
	cases := []struct {
		name  string
		user  string
		after []policy.Decision
		want  string
	}{
		{"a user step left: at the user's logon", "AzureAD\\alex", []policy.Decision{system, user}, "AzureAD\\alex"},
		{"only system steps left: at boot", "AzureAD\\alex", []policy.Decision{system, system}, ""},
		{"nothing left: at boot", "AzureAD\\alex", nil, ""},
		{"user steps left but not allowed: at boot", "AzureAD\\alex", []policy.Decision{blockedUser, skippedUser, system}, ""},
		{"nobody signed in: at boot", "", []policy.Decision{user}, ""},
	}
	for _, c := range cases {
		if got := resumeUser(c.user, c.after); got != c.want {
			t.Errorf("%s: resumeUser = %q, want %q", c.name, got, c.want)
		}
	}
}
