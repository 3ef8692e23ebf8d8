/*
 * hwinst._native: the one call the binding makes on every request, in C instead of ctypes.
 *
 *     call(function, string_free, client, *texts) -> (code, document)
 *
 * calls the libhwinst function at address `function`, whose C signature is
 * `int f(const hwinst_client *client, const char *text..., char **out)` with one or two text
 * arguments (bytes, or None for NULL), with the GIL released (a call blocks on the network);
 * `document` is what it wrote to `out` as `document(text)` gives it (below), and the string is
 * freed with the function at address `string_free` (hwinst_string_free). The addresses come
 * from the library ctypes loaded (hwinst/_lib.py), so that both reach one copy of it.
 *
 *     document(text: bytes) -> dict | str | bytes
 *
 * A JSON object, as the library writes every document, is read with yyjson (vendored,
 * ../../vendor/yyjson) straight into the dict that json.loads would give: every value of the
 * same type and equal (tests/test_native.py compares them). Anything else comes back as its
 * text (str, or bytes if it is not UTF-8), for hwinst._lib.parse_json to decode or refuse with
 * the json module, whose answer is the binding's: text that is not an object, or that yyjson
 * refuses (not JSON, NaN, a lone surrogate, a number too large for a double, white space
 * around it) or reads differently from the json module (nested deeper than MAX_DEPTH, a
 * number too large for 64 bits that is not an integer). Reading the text once in C instead of
 * making a str of it and scanning that with the json module halves the binding's own work per
 * call.
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

#include "yyjson.h"

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

/* Deeper than this, a document is left to the json module (which gives up at the interpreter's
 * recursion limit): no document of the library's comes near it. */
#define MAX_DEPTH 128

static PyObject *python_value(yyjson_val *value, int depth);

/* A JSON string (or key), from the UTF-8 yyjson checked and unescaped. */
static PyObject *python_string(yyjson_val *value) {
    return PyUnicode_DecodeUTF8(yyjson_get_str(value), (Py_ssize_t)yyjson_get_len(value),
                                "strict");
}

/* A number too large for 64 bits, as yyjson kept its text: an integer is int(text), as the
 * json module reads it (a ValueError past the interpreter's digit limit, as there); anything
 * else (a float beyond a double's range) is left to the json module. */
static PyObject *python_big_number(yyjson_val *value) {
    const char *raw = yyjson_get_raw(value);
    size_t length = yyjson_get_len(value);
    for (size_t i = 0; i < length; i++) {
        if (!(raw[i] >= '0' && raw[i] <= '9') && !(i == 0 && raw[i] == '-')) {
            return NULL;
        }
    }
    PyObject *text = PyUnicode_FromStringAndSize(raw, (Py_ssize_t)length);
    if (text == NULL) {
        return NULL;
    }
    PyObject *number = PyObject_CallFunctionObjArgs((PyObject *)&PyLong_Type, text, NULL);
    Py_DECREF(text);
    return number;
}

static PyObject *python_list(yyjson_val *array, int depth) {
    PyObject *list = PyList_New((Py_ssize_t)yyjson_arr_size(array));
    if (list == NULL) {
        return NULL;
    }
    size_t index, count;
    yyjson_val *item;
    yyjson_arr_foreach(array, index, count, item) {
        PyObject *element = python_value(item, depth + 1);
        if (element == NULL || PyList_SetItem(list, (Py_ssize_t)index, element) < 0) {
            Py_DECREF(list);
            return NULL;
        }
    }
    return list;
}

/* Keys in the document's order; a key sent twice keeps its first place and its last value,
 * as in the json module's dict. */
static PyObject *python_dict(yyjson_val *object, int depth) {
    PyObject *dict = PyDict_New();
    if (dict == NULL) {
        return NULL;
    }
    size_t index, count;
    yyjson_val *key, *item;
    yyjson_obj_foreach(object, index, count, key, item) {
        PyObject *name = python_string(key);
        PyObject *element = name == NULL ? NULL : python_value(item, depth + 1);
        int stored = element == NULL ? -1 : PyDict_SetItem(dict, name, element);
        Py_XDECREF(name);
        Py_XDECREF(element);
        if (stored < 0) {
            Py_DECREF(dict);
            return NULL;
        }
    }
    return dict;
}

/* The Python value of a JSON value, as the json module gives it; NULL (an exception set or
 * not) where the json module must decide. */
static PyObject *python_value(yyjson_val *value, int depth) {
    if (depth > MAX_DEPTH) {
        return NULL;
    }
    switch (yyjson_get_type(value)) {
    case YYJSON_TYPE_NULL:
        Py_RETURN_NONE;
    case YYJSON_TYPE_BOOL:
        return PyBool_FromLong(yyjson_get_bool(value));
    case YYJSON_TYPE_NUM:
        switch (yyjson_get_subtype(value)) {
        case YYJSON_SUBTYPE_UINT:
            return PyLong_FromUnsignedLongLong(yyjson_get_uint(value));
        case YYJSON_SUBTYPE_SINT:
            return PyLong_FromLongLong(yyjson_get_sint(value));
        default:
            return PyFloat_FromDouble(yyjson_get_real(value));
        }
    case YYJSON_TYPE_RAW:
        return python_big_number(value);
    case YYJSON_TYPE_STR:
        return python_string(value);
    case YYJSON_TYPE_ARR:
        return python_list(value, depth);
    case YYJSON_TYPE_OBJ:
        return python_dict(value, depth);
    default:
        return NULL;
    }
}

/* The JSON object `text` (not NUL-terminated) as a dict; NULL, with no exception set, when it
 * is left to the json module. Only text from '{' to '}': white space around it is the json
 * module's to refuse. */
static PyObject *dict_of(const char *text, size_t length) {
    if (length < 2 || text[0] != '{' || text[length - 1] != '}') {
        return NULL;
    }
    yyjson_doc *parsed = yyjson_read(text, length, YYJSON_READ_BIGNUM_AS_RAW);
    if (parsed == NULL) {
        return NULL;
    }
    PyObject *dict = python_value(yyjson_doc_get_root(parsed), 0);
    yyjson_doc_free(parsed);
    if (dict == NULL && PyErr_Occurred()) {
        /* Out of memory or past the digit limit: the json module will meet the same. */
        PyErr_Clear();
    }
    return dict;
}

/* What call() gives for a document: the dict, or the text (str, or bytes when not UTF-8). */
static PyObject *document_of(const char *text, size_t length) {
    PyObject *document = dict_of(text, length);
    if (document != NULL) {
        return document;
    }
    document = PyUnicode_DecodeUTF8(text, (Py_ssize_t)length, "strict");
    if (document == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
        /* Not UTF-8 (the library writes UTF-8): the bytes, for the caller to refuse. */
        PyErr_Clear();
        document = PyBytes_FromStringAndSize(text, (Py_ssize_t)length);
    }
    return document;
}

static PyObject *document(PyObject *self, PyObject *text) {
    (void)self;
    char *buffer;
    Py_ssize_t length;
    if (!PyBytes_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "document(text) takes bytes");
        return NULL;
    }
    if (PyBytes_AsStringAndSize(text, &buffer, &length) < 0) {
        return NULL;
    }
    return document_of(buffer, (size_t)length);
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
        document = document_of(out, strlen(out));
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
    {"document", document, METH_O,
     "document(text: bytes) -> dict | str | bytes: a JSON object read into a dict, else the "
     "text, for the json module (see hwinst/_native.c)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "hwinst._native", "The binding's per-call path in C (see _native.c).",
    0, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
