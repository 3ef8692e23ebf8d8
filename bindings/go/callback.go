package hwinst

// #include <stdint.h>
// #include <string.h>
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// hwinstGoWaitCallback is the hwinst_wait_callback of every Wait (through
// hwinst_go_trampoline in wait.go). handle is a cgo.Handle of the wait's *waitChannels; the
// library calls this on the goroutine running hwinst_wait_cancellable, which hands the
// document to Wait and blocks until Wait answers. Returning non-zero cancels the wait.
//
// Nothing may unwind through the library's frames: the user's function runs on Wait's own
// goroutine, not here, and a panic here (only a bug could cause one) is recovered and stops
// the wait.
//
//export hwinstGoWaitCallback
func hwinstGoWaitCallback(lifecycleJSON *C.char, handle C.uintptr_t) (stop C.int) {
	defer func() {
		if recover() != nil {
			stop = 1
		}
	}()
	w, ok := cgo.Handle(handle).Value().(*waitChannels)
	if !ok || lifecycleJSON == nil {
		return 1
	}
	// Copied: the document lives only during this call.
	doc := C.GoBytes(unsafe.Pointer(lifecycleJSON), C.int(C.strlen(lifecycleJSON)))
	if w.deliver(doc) {
		return 0
	}
	return 1
}
