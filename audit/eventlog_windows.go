package audit

import (
	"errors"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
	"golang.org/x/sys/windows/svc/eventlog"

	"github.com/caafix/caafix/outcome"
)

// eventLogSink writes lines to the Application log as source caafix.
type eventLogSink struct{ log *eventlog.Log }

var _ Sink = (*eventLogSink)(nil)

// openEventLog opens the Application log. It succeeds even when the
// source is not registered; Event Viewer then shows the JSON beside a
// note that the description cannot be found.
func openEventLog() (Sink, error) {
	l, err := eventlog.Open(EventSource)
	if err != nil {
		return nil, err
	}
	return &eventLogSink{log: l}, nil
}

func (s *eventLogSink) Name() string { return "eventlog" }

func (s *eventLogSink) Send(l Line) error {
	msg := eventLogText(l.JSON)
	switch l.Level {
	case Error:
		return s.log.Error(l.ID, msg)
	case Warning:
		return s.log.Warning(l.ID, msg)
	}
	return s.log.Info(l.ID, msg)
}

func (s *eventLogSink) Close() error { return s.log.Close() }

const sourceKey = `SYSTEM\CurrentControlSet\Services\EventLog\Application\` + EventSource

// InstallEventLog registers the Event Log source caafix in the
// Application log, with EventCreate.exe as its message file, so that
// Event Viewer shows each line as the event's description. It needs
// administrator rights. An existing registration is left as it is;
// installed reports whether this call made it.
func InstallEventLog() (installed bool, err error) {
	if k, err := registry.OpenKey(registry.LOCAL_MACHINE, sourceKey, registry.QUERY_VALUE); err == nil {
		k.Close()
		return false, nil
	}
	if err := eventlog.InstallAsEventCreate(EventSource, eventlog.Error|eventlog.Warning|eventlog.Info); err != nil {
		return false, elevationHint(err)
	}
	return true, nil
}

// elevationHint adds what to do when the registry refused a standard user.
func elevationHint(err error) error {
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		return outcome.Errorf(outcome.HostError, "%w", err).WithHint("run it from an elevated prompt (as administrator) or as SYSTEM")
	}
	return err
}

// RemoveEventLog removes the registration of the source caafix; the
// events already written stay in the log. removed is false when there
// was none.
func RemoveEventLog() (removed bool, err error) {
	err = eventlog.Remove(EventSource)
	if errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
		return false, nil
	}
	return err == nil, elevationHint(err)
}
