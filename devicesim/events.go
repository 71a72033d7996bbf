package devicesim

import (
	"strings"
	"time"
)

// aadEventMessage is the text of an event 1098 for the symptom. Its layout
// (Error / ErrorMessage / AdditionalInformation, a blank line between) is
// the one public sample we have: Microsoft Learn KB4499299, fixture
// aad-event-1098.txt, where the WAM code appears as "Log: 0xcaa5001c". No
// public capture of a 1098 event for 0xCAA50021 was found, so the
// ErrorMessage sentence is the simulator's own: parsers must key on the
// code, never on the sentence. The AADSTS53000 description is the one
// Entra ID returns for a device that is not compliant (Microsoft Learn,
// "Microsoft Entra authentication and authorization error codes").
func aadEventMessage(st *state) string {
	var b strings.Builder
	b.WriteString("Error: 3399811105\r\n") // 0xCAA50021 in decimal, as the sample prints its code
	b.WriteString("\r\n")
	b.WriteString("ErrorMessage: The token broker stopped retrying after repeated failed token requests.\r\n")
	b.WriteString("\r\n")
	b.WriteString("AdditionalInformation: Exception of type 'class WinRTException' at webaccountprocessor.cpp, line: 190, method:\r\n")
	b.WriteString("Microsoft Entra ID::Core::WebAccountProcessor::ProcessBrokerRequest::<lambda_>::operator (). Log: 0xcaa50021 Token broker operation failed. Operation name: RequestToken Logged at webaccountprocessor.cpp, line: 520, method: Microsoft Entra ID::Core::WebAccountProcessor::ReportException.")
	if st.hasFault(FaultConditionalAccess) {
		b.WriteString("\r\n\r\n")
		b.WriteString("Code: invalid_grant\r\n")
		b.WriteString("Description: AADSTS53000: Device is not in required device state: compliant. Conditional Access policy requires a compliant device, and the device is not compliant. The user must enroll their device with an approved MDM provider like Intune.")
	}
	return b.String()
}

// queryEvents is what Get-WinEvent reads from the AAD log at now, newest
// first. While a fault remains, apps keep retrying, so every query finds a
// fresh event; once healthy, only the events from before the last fault
// was cleared remain.
func queryEvents(st *state, now time.Time) []event {
	if len(st.Scenario.Faults) > 0 {
		st.addEvent(event{ID: 1098, Time: now, Message: aadEventMessage(st)})
	}
	var out []event
	for i := len(st.Events) - 1; i >= 0; i-- {
		e := st.Events[i]
		if len(st.Scenario.Faults) == 0 && !st.FaultsClearedAt.IsZero() && !e.Time.Before(st.FaultsClearedAt) {
			continue
		}
		out = append(out, e)
	}
	return out
}
