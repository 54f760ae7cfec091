/* A stand-in libcuda.so.1 for tests without a GPU.
 *
 * cuda.bindings resolves every driver entry point through cuGetProcAddress of the
 * first libcuda.so.1 the loader finds, so this library answers the calls tg's runtime
 * makes: device memory is host memory, modules are checked the way a CUDA 13.0
 * driver on an sm_MOCK_SM device checks them, and launches are recorded (grid, block,
 * shared bytes, kernel name, the first 8 bytes of each argument) for the test to
 * read with mock_launch(i). Kernels do not run. As a real driver, calls that work in a
 * context fail with CUDA_ERROR_INVALID_CONTEXT on a thread where none is current (the
 * current context is per thread), a launch with more dynamic shared memory than 48 KB
 * or the function's CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES fails, and stream
 * waits are logged (mock_wait(i): the waiting stream and the stream the event was
 * recorded on).
 *
 * Environment: MOCK_SM=80|90 (default 90), MOCK_NO_DEVICE=1 (cuInit fails with
 * CUDA_ERROR_NO_DEVICE), MOCK_TRACE=1 (print each symbol looked up).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
enum {
    OK = 0, E_INVALID_VALUE = 1, E_OUT_OF_MEMORY = 2, E_NOT_INITIALIZED = 3, E_NO_DEVICE = 100,
    E_INVALID_DEVICE = 101, E_INVALID_IMAGE = 200, E_INVALID_CONTEXT = 201, E_INVALID_HANDLE = 400, E_NO_BINARY_FOR_GPU = 209,
    E_UNSUPPORTED_PTX_VERSION = 222, E_NOT_FOUND = 500, E_NOT_SUPPORTED = 801,
};

static int inited;
static int mock_sm = 90;

/* ------------------------------------------------------------------ log */

#define MAX_PARAMS 32
#define MAX_LAUNCHES 256
typedef struct {
    char name[64];
    unsigned grid[3], block[3], smem;
    uint64_t stream;
    int nparams;
    uint64_t params[MAX_PARAMS];
} Launch;

static Launch launches[MAX_LAUNCHES];
static int launch_count;
static int want_nparams;
static int allocations, frees;
static uint64_t bytes_h2d, bytes_d2h, bytes_d2d, memsets;

static struct { char name[64]; int n; } kernel_params[64];
static int kernel_param_count;

static int clamp_params(int n) { return n < 0 ? 0 : n > MAX_PARAMS ? MAX_PARAMS : n; }
/* How many 8-byte argument slots to record per launch: for every kernel, or for one by name. */
void mock_set_nparams(int n) { want_nparams = clamp_params(n); }
void mock_set_kernel_nparams(const char *name, int n) {
    for (int i = 0; i < kernel_param_count; i++)
        if (!strcmp(kernel_params[i].name, name)) { kernel_params[i].n = clamp_params(n); return; }
    if (kernel_param_count < 64) {
        snprintf(kernel_params[kernel_param_count].name, 64, "%s", name);
        kernel_params[kernel_param_count++].n = clamp_params(n);
    }
}
static int params_of(const char *name) {
    for (int i = 0; i < kernel_param_count; i++)
        if (!strcmp(kernel_params[i].name, name)) return kernel_params[i].n;
    return want_nparams;
}
int mock_launch_count(void) { return launch_count; }
const Launch *mock_launch(int i) { return i >= 0 && i < launch_count && i < MAX_LAUNCHES ? &launches[i] : 0; }
static int wait_count, synchronizations;
void mock_reset(void) { launch_count = wait_count = synchronizations = 0; allocations = frees = 0; bytes_h2d = bytes_d2h = bytes_d2d = memsets = 0; }
int mock_allocations(void) { return allocations; }
int mock_frees(void) { return frees; }
uint64_t mock_bytes(int which) { return which == 0 ? bytes_h2d : which == 1 ? bytes_d2h : which == 2 ? bytes_d2d : memsets; }

/* ------------------------------------------------------------------ errors */

static const char *error_name(CUresult e) {
    switch (e) {
    case OK: return "CUDA_SUCCESS";
    case E_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
    case E_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
    case E_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
    case E_NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
    case E_INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
    case E_INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
    case E_INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
    case E_INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
    case E_NO_BINARY_FOR_GPU: return "CUDA_ERROR_NO_BINARY_FOR_GPU";
    case E_UNSUPPORTED_PTX_VERSION: return "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
    case E_NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
    case E_NOT_SUPPORTED: return "CUDA_ERROR_NOT_SUPPORTED";
    default: return 0;
    }
}
static CUresult m_cuGetErrorName(CUresult e, const char **s) { *s = error_name(e); return *s ? OK : E_INVALID_VALUE; }
static CUresult m_cuGetErrorString(CUresult e, const char **s) { *s = error_name(e); return *s ? OK : E_INVALID_VALUE; }
static CUresult m_unsupported(void) { return E_NOT_SUPPORTED; }

/* ------------------------------------------------------------------ init and device */

CUresult cuInit(unsigned flags) {
    (void)flags;
    const char *sm = getenv("MOCK_SM");
    if (sm) mock_sm = atoi(sm);
    const char *none = getenv("MOCK_NO_DEVICE");
    if (none && *none == '1') return E_NO_DEVICE;
    inited = 1;
    return OK;
}
CUresult cuDriverGetVersion(int *v) { *v = 13000; return OK; }
static CUresult m_cuDeviceGetCount(int *n) { if (!inited) return E_NOT_INITIALIZED; *n = 1; return OK; }
static CUresult m_cuDeviceGet(int *d, int ordinal) {
    if (!inited) return E_NOT_INITIALIZED;
    if (ordinal != 0) return E_INVALID_DEVICE;
    *d = 0; return OK;
}
static CUresult m_cuDeviceGetAttribute(int *v, int attribute, int dev) {
    if (!inited) return E_NOT_INITIALIZED;
    if (dev != 0) return E_INVALID_DEVICE;
    switch (attribute) {
    case 75: *v = mock_sm / 10; break;  /* compute capability major */
    case 76: *v = mock_sm % 10; break;  /* minor */
    case 16: *v = 132; break;            /* multiprocessors */
    case 97: *v = 232448; break;         /* max shared memory per block, opt-in */
    case 1: *v = 1024; break;            /* max threads per block */
    case 5: *v = 2147483647; break;      /* max grid x */
    case 6: case 7: *v = 65535; break;   /* max grid y, z */
    default: *v = 0;
    }
    return OK;
}
static CUresult m_cuDeviceGetName(char *name, int n, int dev) {
    if (!inited) return E_NOT_INITIALIZED;
    if (dev != 0) return E_INVALID_DEVICE;
    snprintf(name, (size_t)n, "Mock GPU sm_%d", mock_sm);
    return OK;
}
static CUresult m_cuDeviceTotalMem(size_t *bytes, int dev) { (void)dev; *bytes = (size_t)80 << 30; return OK; }
static CUresult m_cuMemGetInfo(size_t *free_bytes, size_t *total) { *free_bytes = (size_t)79 << 30; *total = (size_t)80 << 30; return OK; }

/* ------------------------------------------------------------------ contexts, streams, events */

static int context_object, stream_object;
static __thread void *current_context;
#define NEED_CONTEXT() do { if (!inited) return E_NOT_INITIALIZED; if (!current_context) return E_INVALID_CONTEXT; } while (0)

/* An event remembers the stream it was last recorded on; waits on it are logged. */
typedef struct { void *stream; } Event;
#define MAX_WAITS 256
static struct { uint64_t waiting, recorded_on; } waits[MAX_WAITS];
int mock_wait_count(void) { return wait_count; }
uint64_t mock_wait(int i, int which) {
    if (i < 0 || i >= wait_count || i >= MAX_WAITS) return 0;
    return which == 0 ? waits[i].waiting : waits[i].recorded_on;
}
int mock_synchronizations(void) { return synchronizations; }
static CUresult m_cuDevicePrimaryCtxRetain(void **ctx, int dev) {
    if (!inited) return E_NOT_INITIALIZED;
    if (dev != 0) return E_INVALID_DEVICE;
    *ctx = &context_object; return OK;
}
static CUresult m_cuDevicePrimaryCtxRelease(int dev) { return dev == 0 ? OK : E_INVALID_DEVICE; }
static CUresult m_cuCtxSetCurrent(void *ctx) { if (!inited) return E_NOT_INITIALIZED; current_context = ctx; return OK; }
static CUresult m_cuCtxGetCurrent(void **ctx) { *ctx = current_context; return OK; }
static CUresult m_cuCtxGetDevice(int *dev) { *dev = 0; return OK; }
static CUresult m_ok0(void) { return inited ? OK : E_NOT_INITIALIZED; }
static CUresult m_in_context(void) { NEED_CONTEXT(); return OK; }
static CUresult m_cuCtxSynchronize(void) { NEED_CONTEXT(); synchronizations++; return OK; }
static CUresult m_cuStreamCreate(void **s, unsigned flags) { (void)flags; NEED_CONTEXT(); *s = &stream_object; return OK; }
static CUresult m_cuEventCreate(void **e, unsigned flags) {
    (void)flags; NEED_CONTEXT();
    Event *event = calloc(1, sizeof *event);
    *e = event; return OK;
}
static CUresult m_cuEventDestroy(Event *e) { if (!e) return E_INVALID_HANDLE; free(e); return OK; }
static CUresult m_cuEventRecord(Event *e, void *stream) { NEED_CONTEXT(); if (!e) return E_INVALID_HANDLE; e->stream = stream; return OK; }
static CUresult m_cuStreamWaitEvent(void *stream, Event *e, unsigned flags) {
    (void)flags; NEED_CONTEXT();
    if (!e) return E_INVALID_HANDLE;
    if (wait_count < MAX_WAITS) {
        waits[wait_count].waiting = (uint64_t)(uintptr_t)stream;
        waits[wait_count].recorded_on = (uint64_t)(uintptr_t)e->stream;
    }
    wait_count++;
    return OK;
}
static CUresult m_cuEventElapsedTime(float *ms, void *a, void *b) { (void)a; (void)b; *ms = 1.0f; return OK; }
static CUresult m_cuFuncGetAttribute(int *v, int attribute, void *f) { (void)attribute; (void)f; *v = 0; return OK; }

/* ------------------------------------------------------------------ memory */

static CUresult m_cuMemAlloc(uint64_t *p, size_t n) {
    NEED_CONTEXT();
    if (n == 0) return E_INVALID_VALUE;
    void *block = aligned_alloc(256, (n + 255) / 256 * 256);
    if (!block) return E_OUT_OF_MEMORY;
    *p = (uint64_t)(uintptr_t)block; allocations++;
    return OK;
}
static CUresult m_cuMemFree(uint64_t p) { NEED_CONTEXT(); free((void *)(uintptr_t)p); frees++; return OK; }
static CUresult m_cuMemcpyHtoD(uint64_t d, const void *h, size_t n) { NEED_CONTEXT(); memcpy((void *)(uintptr_t)d, h, n); bytes_h2d += n; return OK; }
static CUresult m_cuMemcpyDtoH(void *h, uint64_t d, size_t n) { NEED_CONTEXT(); memcpy(h, (void *)(uintptr_t)d, n); bytes_d2h += n; return OK; }
static CUresult m_cuMemcpyDtoD(uint64_t d, uint64_t s, size_t n) { NEED_CONTEXT(); memmove((void *)(uintptr_t)d, (void *)(uintptr_t)s, n); bytes_d2d += n; return OK; }
static CUresult m_cuMemcpyHtoDAsync(uint64_t d, const void *h, size_t n, void *s) { (void)s; return m_cuMemcpyHtoD(d, h, n); }
static CUresult m_cuMemcpyDtoHAsync(void *h, uint64_t d, size_t n, void *s) { (void)s; return m_cuMemcpyDtoH(h, d, n); }
static CUresult m_cuMemcpyDtoDAsync(uint64_t d, uint64_t src, size_t n, void *s) { (void)s; return m_cuMemcpyDtoD(d, src, n); }
static CUresult m_cuMemsetD8(uint64_t d, unsigned char v, size_t n) { NEED_CONTEXT(); memset((void *)(uintptr_t)d, v, n); memsets++; return OK; }
static CUresult m_cuMemsetD32(uint64_t d, unsigned v, size_t n) {
    NEED_CONTEXT();
    unsigned *p = (unsigned *)(uintptr_t)d;
    for (size_t i = 0; i < n; i++) p[i] = v;
    memsets++;
    return OK;
}
static CUresult m_cuMemsetD8Async(uint64_t d, unsigned char v, size_t n, void *s) { (void)s; return m_cuMemsetD8(d, v, n); }
static CUresult m_cuMemsetD32Async(uint64_t d, unsigned v, size_t n, void *s) { (void)s; return m_cuMemsetD32(d, v, n); }

/* ------------------------------------------------------------------ modules */

typedef struct { char *image; size_t size; int is_ptx; } Module;
typedef struct { Module *module; char name[64]; int max_dynamic_smem; } Function;

static CUresult load_image(Module **out, const void *data) {
    NEED_CONTEXT();
    if (!data) return E_INVALID_VALUE;
    const unsigned char *p = data;
    size_t size;
    if (!memcmp(p, "\x7f" "ELF", 4)) {
        uint16_t machine; uint32_t flags; uint64_t shoff; uint16_t shentsize, shnum;
        memcpy(&machine, p + 18, 2); memcpy(&flags, p + 48, 4); memcpy(&shoff, p + 40, 8);
        memcpy(&shentsize, p + 58, 2); memcpy(&shnum, p + 60, 2);
        if (machine != 190) return E_INVALID_IMAGE;
        if ((int)((flags >> 8) & 0xff) != mock_sm) return E_NO_BINARY_FOR_GPU;
        size = shoff + (size_t)shentsize * shnum;
    } else {
        const char *version = strstr(data, ".version");
        int major, minor;
        if (!version || sscanf(version, ".version %d.%d", &major, &minor) != 2) return E_INVALID_IMAGE;
        if (major > 9 || (major == 9 && minor > 0)) return E_UNSUPPORTED_PTX_VERSION;
        size = strlen(data) + 1;
    }
    Module *m = malloc(sizeof *m);
    m->image = malloc(size); memcpy(m->image, data, size); m->size = size;
    m->is_ptx = memcmp(p, "\x7f" "ELF", 4) != 0;
    *out = m;
    return OK;
}
static CUresult m_cuModuleLoadData(Module **m, const void *image) { return load_image(m, image); }
static CUresult m_cuLibraryLoadData(Module **m, const void *image, void *a, void *b, unsigned n, void *c, void *d, unsigned k) {
    (void)a; (void)b; (void)n; (void)c; (void)d; (void)k;
    return load_image(m, image);
}
static CUresult m_cuModuleUnload(Module *m) { NEED_CONTEXT(); if (!m) return E_INVALID_HANDLE; free(m->image); free(m); return OK; }

static CUresult find_function(Function **f, Module *m, const char *name) {
    NEED_CONTEXT();
    if (!m || !name) return E_INVALID_VALUE;
    size_t n = strlen(name);
    if (m->is_ptx) { /* PTX: ".entry name(" */
        char pattern[80];
        snprintf(pattern, sizeof pattern, ".entry %s(", name);
        if (!strstr(m->image, pattern)) return E_NOT_FOUND;
        Function *fn = calloc(1, sizeof *fn);
        fn->module = m;
        snprintf(fn->name, sizeof fn->name, "%s", name);
        *f = fn;
        return OK;
    }
    for (size_t i = 0; i + n < m->size; i++) {
        if (memcmp(m->image + i, name, n) || m->image[i + n] != 0) continue;
        char before = i ? m->image[i - 1] : 0;
        if (before == 0 || before == '.' || before == ' ') {
            Function *fn = calloc(1, sizeof *fn);
            fn->module = m;
            snprintf(fn->name, sizeof fn->name, "%s", name);
            *f = fn;
            return OK;
        }
    }
    return E_NOT_FOUND;
}
static CUresult m_cuModuleGetFunction(Function **f, Module *m, const char *name) { return find_function(f, m, name); }
static CUresult m_cuLibraryGetKernel(Function **f, Module *m, const char *name) { return find_function(f, m, name); }
static CUresult m_cuKernelGetFunction(Function **f, Function *k) { *f = k; return OK; }
static CUresult m_cuFuncSetAttribute(Function *f, int attribute, int value) {
    NEED_CONTEXT();
    if (!f) return E_INVALID_HANDLE;
    if (attribute == 8) { /* CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES */
        if (value < 0 || value > 232448) return E_INVALID_VALUE;
        f->max_dynamic_smem = value;
    }
    return OK;
}

static CUresult m_cuLaunchKernel(Function *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                                 unsigned smem, void *stream, void **params, void **extra) {
    (void)extra;
    NEED_CONTEXT();
    if (!f) return E_INVALID_HANDLE;
    if (smem > 48 * 1024 && (int)smem > f->max_dynamic_smem) return E_INVALID_VALUE;
    if (!bx || !by || !bz || (uint64_t)bx * by * bz > 1024 || !gx || !gy || !gz || gy > 65535 || gz > 65535)
        return E_INVALID_VALUE;
    int nparams = params_of(f->name);
    if (nparams && !params) return E_INVALID_VALUE;
    if (launch_count < MAX_LAUNCHES) {
        Launch *l = &launches[launch_count];
        memset(l, 0, sizeof *l);
        snprintf(l->name, sizeof l->name, "%s", f->name);
        l->grid[0] = gx; l->grid[1] = gy; l->grid[2] = gz;
        l->block[0] = bx; l->block[1] = by; l->block[2] = bz;
        l->smem = smem; l->stream = (uint64_t)(uintptr_t)stream; l->nparams = nparams;
        for (int i = 0; i < nparams; i++) memcpy(&l->params[i], params[i], 8);
    }
    launch_count++;
    return OK;
}

/* ------------------------------------------------------------------ dispatch */

typedef struct { const char *name; void *fn; } Entry;
static const Entry table[] = {
    {"cuInit", (void *)cuInit}, {"cuDriverGetVersion", (void *)cuDriverGetVersion},
    {"cuGetErrorName", (void *)m_cuGetErrorName}, {"cuGetErrorString", (void *)m_cuGetErrorString},
    {"cuDeviceGetCount", (void *)m_cuDeviceGetCount}, {"cuDeviceGet", (void *)m_cuDeviceGet},
    {"cuDeviceGetAttribute", (void *)m_cuDeviceGetAttribute}, {"cuDeviceGetName", (void *)m_cuDeviceGetName},
    {"cuDeviceTotalMem", (void *)m_cuDeviceTotalMem}, {"cuMemGetInfo", (void *)m_cuMemGetInfo},
    {"cuDevicePrimaryCtxRetain", (void *)m_cuDevicePrimaryCtxRetain},
    {"cuDevicePrimaryCtxRelease", (void *)m_cuDevicePrimaryCtxRelease},
    {"cuCtxSetCurrent", (void *)m_cuCtxSetCurrent}, {"cuCtxGetCurrent", (void *)m_cuCtxGetCurrent},
    {"cuCtxGetDevice", (void *)m_cuCtxGetDevice}, {"cuCtxSynchronize", (void *)m_cuCtxSynchronize},
    {"cuStreamCreate", (void *)m_cuStreamCreate}, {"cuStreamDestroy", (void *)m_ok0},
    {"cuStreamSynchronize", (void *)m_in_context}, {"cuStreamWaitEvent", (void *)m_cuStreamWaitEvent},
    {"cuEventCreate", (void *)m_cuEventCreate}, {"cuEventDestroy", (void *)m_cuEventDestroy},
    {"cuEventRecord", (void *)m_cuEventRecord}, {"cuEventSynchronize", (void *)m_ok0},
    {"cuEventElapsedTime", (void *)m_cuEventElapsedTime},
    {"cuMemAlloc", (void *)m_cuMemAlloc}, {"cuMemFree", (void *)m_cuMemFree},
    {"cuMemcpyHtoD", (void *)m_cuMemcpyHtoD}, {"cuMemcpyDtoH", (void *)m_cuMemcpyDtoH},
    {"cuMemcpyDtoD", (void *)m_cuMemcpyDtoD}, {"cuMemcpyHtoDAsync", (void *)m_cuMemcpyHtoDAsync},
    {"cuMemcpyDtoHAsync", (void *)m_cuMemcpyDtoHAsync}, {"cuMemcpyDtoDAsync", (void *)m_cuMemcpyDtoDAsync},
    {"cuMemsetD8", (void *)m_cuMemsetD8}, {"cuMemsetD32", (void *)m_cuMemsetD32},
    {"cuMemsetD8Async", (void *)m_cuMemsetD8Async}, {"cuMemsetD32Async", (void *)m_cuMemsetD32Async},
    {"cuModuleLoadData", (void *)m_cuModuleLoadData}, {"cuModuleUnload", (void *)m_cuModuleUnload},
    {"cuModuleGetFunction", (void *)m_cuModuleGetFunction},
    {"cuLibraryLoadData", (void *)m_cuLibraryLoadData}, {"cuLibraryUnload", (void *)m_cuModuleUnload},
    {"cuLibraryGetKernel", (void *)m_cuLibraryGetKernel}, {"cuKernelGetFunction", (void *)m_cuKernelGetFunction},
    {"cuFuncSetAttribute", (void *)m_cuFuncSetAttribute}, {"cuFuncGetAttribute", (void *)m_cuFuncGetAttribute},
    {"cuLaunchKernel", (void *)m_cuLaunchKernel},
};

static CUresult lookup(const char *symbol, void **fn) {
    static int trace = -1;
    if (trace < 0) trace = getenv("MOCK_TRACE") && *getenv("MOCK_TRACE") == '1';
    *fn = (void *)m_unsupported;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (!strcmp(symbol, table[i].name)) { *fn = table[i].fn; break; }
    if (trace) fprintf(stderr, "mockcuda: %s%s\n", symbol, *fn == (void *)m_unsupported ? " (unsupported)" : "");
    return OK;
}
CUresult cuGetProcAddress_v2(const char *symbol, void **fn, int version, unsigned long long flags, int *status) {
    (void)version; (void)flags;
    if (status) *status = 0;
    return lookup(symbol, fn);
}
CUresult cuGetProcAddress(const char *symbol, void **fn, int version, unsigned long long flags) {
    (void)version; (void)flags;
    return lookup(symbol, fn);
}
/* NVRTC dlopens libcuda.so.1 and asks for an export table: refuse, or it crashes. */
CUresult cuGetExportTable(const void **table_out, const void *id) { (void)id; *table_out = 0; return E_NOT_SUPPORTED; }
