"""The Python sides of the benchmark (run.py): ``binding`` (hwinst.Client, typed result),
``native`` (the same C call through hwinst._native, as the binding makes it, the document
read into a dict and freed, no model built: the binding's floor) or ``ctypes`` (the same C call
through ctypes, the document copied and freed). One JSON line: wall and CPU time of CALLS calls
after WARMUP, peak RSS.

    python client_py.py binding|native|ctypes CONFIG_JSON INSTANCE_ID CALLS WARMUP
"""

import json
import sys
import time


def vm_hwm_kb() -> int:
    """This process's peak resident set (ru_maxrss would carry over the parent's across exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def main() -> None:
    mode, config, instance, calls, warmup = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    import hwinst

    client = hwinst.Client(config)
    if mode == "binding":
        call = client.apig_creation_progress

        def once() -> None:
            progress = call(instance)
            assert progress.progress == 100
    elif mode == "native":
        from hwinst import _lib

        if not _lib.NATIVE:
            raise SystemExit("hwinst._native is not built in this install")
        native = _lib.text_calls["hwinst_apig_creation_progress"]
        pointer = client._pointer
        encoded = instance.encode()

        def once() -> None:
            code, text = native(pointer, encoded)
            if code != 0:
                raise SystemExit(text)

    else:
        from ctypes import c_char_p

        from hwinst import _lib

        function = _lib.lib.hwinst_apig_creation_progress
        take = _lib.take_string
        pointer = client._pointer
        encoded = instance.encode()

        def once() -> None:
            out = c_char_p()
            if function(pointer, encoded, out) != 0:
                raise SystemExit(take(out))
            take(out)

    for _ in range(warmup):
        once()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(calls):
        once()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    rss = vm_hwm_kb()
    print(json.dumps({"calls": calls, "wall_s": wall, "cpu_s": cpu, "maxrss_kb": rss}))
    client.close()


if __name__ == "__main__":
    main()
