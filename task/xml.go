package task

import "encoding/xml"

// The structs below follow task-scheduler.xsd. Where the schema fixes an
// order (xs:sequence: the trigger base type, then each trigger's own
// elements) the field order here is that order; encoding/xml writes fields
// in declaration order.

type taskXML struct {
	XMLName    xml.Name        `xml:"Task"`
	Version    string          `xml:"version,attr"`
	Xmlns      string          `xml:"xmlns,attr"`
	Info       registrationXML `xml:"RegistrationInfo"`
	Triggers   triggersXML     `xml:"Triggers"`
	Principals principalsXML   `xml:"Principals"`
	Settings   settingsXML     `xml:"Settings"`
	Actions    actionsXML      `xml:"Actions"`
}

type registrationXML struct {
	URI         string `xml:"URI,omitempty"`
	Author      string `xml:"Author,omitempty"`
	Description string `xml:"Description,omitempty"`
}

type triggersXML struct {
	Boot  *bootTriggerXML  `xml:"BootTrigger,omitempty"`
	Logon *logonTriggerXML `xml:"LogonTrigger,omitempty"`
	Time  *timeTriggerXML  `xml:"TimeTrigger,omitempty"`
}

type repetitionXML struct {
	Interval string `xml:"Interval"`
}

type timeTriggerXML struct {
	Enabled       bool           `xml:"Enabled"`
	StartBoundary string         `xml:"StartBoundary"`
	Repetition    *repetitionXML `xml:"Repetition,omitempty"`
	RandomDelay   string         `xml:"RandomDelay,omitempty"`
}

type bootTriggerXML struct {
	Enabled       bool   `xml:"Enabled"`
	StartBoundary string `xml:"StartBoundary,omitempty"`
	EndBoundary   string `xml:"EndBoundary,omitempty"`
	Delay         string `xml:"Delay,omitempty"`
}

type logonTriggerXML struct {
	Enabled       bool   `xml:"Enabled"`
	StartBoundary string `xml:"StartBoundary,omitempty"`
	EndBoundary   string `xml:"EndBoundary,omitempty"`
	UserID        string `xml:"UserId,omitempty"`
	Delay         string `xml:"Delay,omitempty"`
}

type principalsXML struct {
	Principal principalXML `xml:"Principal"`
}

type principalXML struct {
	ID       string `xml:"id,attr"`
	UserID   string `xml:"UserId"`
	RunLevel string `xml:"RunLevel"`
}

type idleSettingsXML struct {
	StopOnIdleEnd bool `xml:"StopOnIdleEnd"`
	RestartOnIdle bool `xml:"RestartOnIdle"`
}

type settingsXML struct {
	MultipleInstancesPolicy    string           `xml:"MultipleInstancesPolicy"`
	DisallowStartIfOnBatteries bool             `xml:"DisallowStartIfOnBatteries"`
	StopIfGoingOnBatteries     bool             `xml:"StopIfGoingOnBatteries"`
	AllowHardTerminate         bool             `xml:"AllowHardTerminate"`
	StartWhenAvailable         bool             `xml:"StartWhenAvailable"`
	RunOnlyIfNetworkAvailable  bool             `xml:"RunOnlyIfNetworkAvailable"`
	IdleSettings               *idleSettingsXML `xml:"IdleSettings,omitempty"`
	AllowStartOnDemand         bool             `xml:"AllowStartOnDemand"`
	Enabled                    bool             `xml:"Enabled"`
	Hidden                     bool             `xml:"Hidden"`
	RunOnlyIfIdle              bool             `xml:"RunOnlyIfIdle"`
	WakeToRun                  bool             `xml:"WakeToRun"`
	DeleteExpiredTaskAfter     string           `xml:"DeleteExpiredTaskAfter,omitempty"`
	ExecutionTimeLimit         string           `xml:"ExecutionTimeLimit"`
	Priority                   int              `xml:"Priority"`
}

type actionsXML struct {
	Context string  `xml:"Context,attr"`
	Exec    execXML `xml:"Exec"`
}

type execXML struct {
	Command   string `xml:"Command"`
	Arguments string `xml:"Arguments,omitempty"`
}
