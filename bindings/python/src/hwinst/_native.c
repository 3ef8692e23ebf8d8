/*
 * hwinst._native: the one call the binding makes on every request, in C instead of ctypes.
 *
 *     call(function, string_free, client, *texts) -> (code, document)
 *
 * calls the libhwinst function at address `function`, whose C signature is
 * `int f(const hwinst_client *client, const char *text..., char **out)` with one or two text
 * arguments (bytes, or None for NULL), with the GIL released (a call blocks on the network);
 * `document` is what it wrote to `out`, decoded from UTF-8 (None for NULL; bytes if it is not
 * UTF-8), and freed with the function at address `string_free` (hwinst_string_free). The addresses come from the library
 * ctypes loaded (hwinst/_lib.py), so that both reach one copy of it.
 *
 * Why: through ctypes the same call converts each argument with its declared type, makes a
 * c_char_p for the out-parameter, copies the text to bytes and frees it with a second foreign
 * call, which together cost more than a tenth of the library's own CPU per call. Built against
 * the stable ABI (Py_LIMITED_API), so one wheel serves every CPython from 3.9. Without it
 * (another interpreter, a build with no C compiler) the binding makes the same call through
 * ctypes.
 */
#define Py_LIMITED_API 0x03090000
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

typedef int (*call_one)(const void *, const char *, char **);
typedef int (*call_two)(const void *, const char *, const char *, char **);
typedef void (*free_string)(char *);

/* An address the binding passed: a non-zero int that fits a pointer. */
static void *address(PyObject *value, const char *what) {
    if (!PyLong_Check(value)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int address", what);
        return NULL;
    }
    void *pointer = PyLong_AsVoidPtr(value);
    if (pointer == NULL && !PyErr_Occurred()) {
        PyErr_Format(PyExc_ValueError, "%s is NULL", what);
    }
    return pointer;
}

/* A text argument: bytes or None. Without a length to fill, PyBytes_AsStringAndSize refuses
 * bytes with a NUL inside (ValueError), which C would cut the text at. */
static int text(PyObject *value, const char **out) {
    if (value == Py_None) {
        *out = NULL;
        return 0;
    }
    char *buffer;
    if (!PyBytes_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "a text argument must be bytes or None");
        return -1;
    }
    if (PyBytes_AsStringAndSize(value, &buffer, NULL) < 0) {
        return -1;
    }
    *out = buffer;
    return 0;
}

static PyObject *call(PyObject *self, PyObject *args) {
    (void)self;
    Py_ssize_t count = PyTuple_Size(args);
    if (count < 4 || count > 5) {
        PyErr_SetString(PyExc_TypeError,
                        "call(function, string_free, client, *texts) takes one or two texts");
        return NULL;
    }
    void *function = address(PyTuple_GetItem(args, 0), "function");
    if (function == NULL) {
        return NULL;
    }
    void *release = address(PyTuple_GetItem(args, 1), "string_free");
    if (release == NULL) {
        return NULL;
    }
    void *client = address(PyTuple_GetItem(args, 2), "client");
    if (client == NULL) {
        return NULL;
    }
    const char *first = NULL, *second = NULL;
    if (text(PyTuple_GetItem(args, 3), &first) < 0) {
        return NULL;
    }
    if (count == 5 && text(PyTuple_GetItem(args, 4), &second) < 0) {
        return NULL;
    }
    /* The arguments' bytes stay alive in `args` while the GIL is released. */
    char *out = NULL;
    int code;
    Py_BEGIN_ALLOW_THREADS
    if (count == 4) {
        code = ((call_one)function)(client, first, &out);
    } else {
        code = ((call_two)function)(client, first, second, &out);
    }
    Py_END_ALLOW_THREADS
    PyObject *document;
    if (out == NULL) {
        document = Py_None;
        Py_INCREF(document);
    } else {
        Py_ssize_t length = (Py_ssize_t)strlen(out);
        document = PyUnicode_DecodeUTF8(out, length, "strict");
        if (document == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
            /* Not UTF-8 (the library writes UTF-8): the bytes, for the caller to refuse. */
            PyErr_Clear();
            document = PyBytes_FromStringAndSize(out, length);
        }
        ((free_string)release)(out);
        if (document == NULL) {
            return NULL;
        }
    }
    /* Built directly: Py_BuildValue would parse a format string on every call. */
    PyObject *number = PyLong_FromLong(code);
    PyObject *result = number == NULL ? NULL : PyTuple_New(2);
    if (result == NULL) {
        Py_XDECREF(number);
        Py_DECREF(document);
        return NULL;
    }
    PyTuple_SetItem(result, 0, number);   /* steals the references */
    PyTuple_SetItem(result, 1, document);
    return result;
}

static PyMethodDef methods[] = {
    {"call", call, METH_VARARGS,
     "call(function, string_free, client, *texts) -> (code, document): a libhwinst function "
     "with one or two text arguments and a result document (see hwinst/_native.c)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "hwinst._native", "The binding's per-call path in C (see _native.c).",
    0, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
