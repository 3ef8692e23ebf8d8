package hwinst

import (
	"encoding/json"
	"time"
)

// Source is where a lifecycle is read from: which service API [Client.Lifecycle] and
// [Client.Wait] poll.
type Source string

// The sources that can be polled.
const (
	// SourceRoma reads ROMA Connect creation progress
	// (GET /v2/{project_id}/instances/{instance_id}/process).
	SourceRoma Source = "roma"
	// SourceRomaDetails reads ROMA Connect instance details
	// (GET /v2/{project_id}/apic/instances/{instance_id}).
	SourceRomaDetails Source = "roma-details"
	// SourceApig reads APIG creation progress
	// (GET /v2/{project_id}/apigw/instances/{instance_id}/progress).
	SourceApig Source = "apig"
	// SourceClouddc reads Cloud DC instance status (GET /v1/{project_id}/instances/{id}/status).
	SourceClouddc Source = "clouddc"
)

// SourceRomaList is not polled: it is the Source of a lifecycle a fleet wait read through
// the paged ROMA list (GET /v2/{project_id}/instances), for either ROMA source's target.
const SourceRomaList Source = "roma-list"

// Phase is where an instance is in its lifecycle, the same for every service.
type Phase string

// The phases, in lifecycle order. A phase this version does not know may still appear (a
// newer library); treat it as [PhaseUnknown].
const (
	// PhasePending: accepted, not yet being built (Cloud DC "pending").
	PhasePending Phase = "pending"
	// PhaseCreating: being created, initialised or registered.
	PhaseCreating Phase = "creating"
	// PhaseRunning: ready for use.
	PhaseRunning Phase = "running"
	// PhaseUpdating: being changed (upgraded, rolled back, restarted, reinstalled,
	// re-addressed).
	PhaseUpdating Phase = "updating"
	// PhaseStopping: being stopped or frozen.
	PhaseStopping Phase = "stopping"
	// PhaseStopped: stopped or frozen.
	PhaseStopped Phase = "stopped"
	// PhaseDeleting: being deleted.
	PhaseDeleting Phase = "deleting"
	// PhaseDeleted: deleted.
	PhaseDeleted Phase = "deleted"
	// PhaseFailed: an operation failed or timed out; the lifecycle's Error says why.
	PhaseFailed Phase = "failed"
	// PhaseUnknown: a status word this version does not know.
	PhaseUnknown Phase = "unknown"
)

// Lifecycle is where an instance is in its lifecycle, read from one [Source]: the C
// library's lifecycle document.
type Lifecycle struct {
	// Source is where it was read from.
	Source Source `json:"source"`
	// InstanceID is the instance.
	InstanceID string `json:"instance_id"`
	// Phase is the phase the service's status maps to.
	Phase Phase `json:"phase"`
	// Progress is the progress in percent (0-100) where the service reports one, else nil.
	Progress *int `json:"progress"`
	// Terminal tells whether the phase is settled (stays until someone acts): running,
	// stopped, deleted or failed, refined by what the source says (a Cloud DC instance
	// "running" while an install is processing is not).
	Terminal bool `json:"terminal"`
	// Status is the service's own status word, untouched ("" when it sent none; for ROMA
	// details without a word, its instance_status number).
	Status string `json:"status"`
	// Error is why the service says the instance failed, when it says so.
	Error *LifecycleError `json:"error"`
	// ObservedAtMs is when the library read it (Unix time, milliseconds); see ObservedAt.
	ObservedAtMs int64 `json:"observed_at_ms"`
	// Raw is the lifecycle document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a lifecycle document and keeps it in Raw.
func (l *Lifecycle) UnmarshalJSON(data []byte) error {
	type plain Lifecycle
	if err := json.Unmarshal(data, (*plain)(l)); err != nil {
		return err
	}
	l.Raw = keepRaw(data)
	return nil
}

// ObservedAt is ObservedAtMs as a time.
func (l *Lifecycle) ObservedAt() time.Time {
	return time.UnixMilli(l.ObservedAtMs)
}

// LifecycleError is why a service says an instance failed.
type LifecycleError struct {
	// ErrorCode is the service's error code, e.g. "APIG.9999".
	ErrorCode string `json:"error_code"`
	// ErrorMsg is the service's error message.
	ErrorMsg string `json:"error_msg"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the error and keeps the document in Raw.
func (e *LifecycleError) UnmarshalJSON(data []byte) error {
	type plain LifecycleError
	if err := json.Unmarshal(data, (*plain)(e)); err != nil {
		return err
	}
	e.Raw = keepRaw(data)
	return nil
}

// keepRaw copies a document for a Raw field: encoding/json reuses its buffer after
// UnmarshalJSON returns.
func keepRaw(data []byte) json.RawMessage {
	return append(json.RawMessage(nil), data...)
}
