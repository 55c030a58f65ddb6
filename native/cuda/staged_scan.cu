// Residency::Host scan: the staged pipeline of staging_pipeline.cuh, with the carry between a row
// block's chunks kept on the device.
#include <cstring>
#include <vector>

#include "staging_pipeline.cuh"

namespace linrec {
namespace cuda {

using namespace staging;

void scanHostStaged(const ScanJob& job, DeviceContext& ctx) {
  const size_t rows = job.rows, n = job.n;
  const size_t elem = job.dtype == DType::Float64 ? 8 : 4;
  const bool logIn = job.method == Method::LogFromLog;
  const bool signA = logIn && job.aSign, signB = logIn && job.bSign;
  auto negative = [](const int8_t* s, size_t k) { return s && s[k] < 0; };

  if (n == 0) {  // nothing for the device: x_0 goes to x0Copy and last
    std::vector<char> x0(rows * elem);
    std::vector<int8_t> sign(rows);
    for (size_t r = 0; r < rows; ++r) {
      std::memcpy(&x0[r * elem], static_cast<const char*>(job.x0) + r * job.x0Stride * elem, elem);
      sign[r] = negative(job.x0Sign, r * job.x0Stride) ? -1 : 1;
    }
    for (size_t r = 0; r < rows; ++r) {
      if (job.x0Copy) {
        std::memcpy(static_cast<char*>(job.x0Copy) + r * job.x0CopyStride * elem, &x0[r * elem], elem);
        if (logIn) job.x0CopySign[r * job.x0CopyStride] = sign[r];
      }
      if (job.last) {
        std::memcpy(static_cast<char*>(job.last) + r * elem, &x0[r * elem], elem);
        if (logIn) job.lastSign[r] = sign[r];
      }
    }
    return;
  }

  const size_t inPerStep = 2 * elem + (signA ? 1 : 0) + (signB ? 1 : 0);
  const size_t outPerStep = elem + (logIn ? 1 : 0);
  const Geometry g = chooseGeometry(rows, n, inPerStep + outPerStep);
  const std::vector<Chunk> chunks = chunksOf(rows, n, job.reverse, g);
  const size_t cap = g.width * g.blockRows;

  Layout L;
  L.a = 0;
  L.b = align256(cap * elem);
  L.aSign = L.b + align256(cap * elem);
  L.bSign = L.aSign + (signA ? align256(cap) : 0);
  L.x0 = L.bSign + (signB ? align256(cap) : 0);
  L.x0Sign = L.x0 + align256(g.blockRows * elem);
  L.inBytes = L.x0Sign + align256(g.blockRows);
  L.x = 0;
  L.xSign = align256(cap * elem);
  L.last = L.xSign + (logIn ? align256(cap) : 0);
  L.lastSign = L.last + align256(g.blockRows * elem);
  L.outBytes = L.lastSign + align256(g.blockRows);
  L.carry = 0;
  L.carrySign = align256(g.blockRows * elem);
  L.carryBytes = L.carrySign + align256(g.blockRows);

  Staging& st = stagingFor(ctx, L.inBytes, L.outBytes);
  DrainOnUnwind drain(st);
  char* carry = st.carry.ensure(L.carryBytes);

  // The chunk job the device runs; its x0 and last are the shared carry.
  auto chunkJob = [&](const Chunk& c, const Slot& s) {
    ScanJob j;
    j.method = job.method;
    j.dtype = job.dtype;
    j.rows = c.rows;
    j.n = c.steps;
    j.reverse = job.reverse;
    j.aStride = j.bStride = j.xStride = c.steps;
    j.x0Stride = 1;
    char* in = static_cast<char*>(s.deviceIn.ptr);
    char* out = static_cast<char*>(s.deviceOut.ptr);
    j.a = in + L.a;
    j.b = in + L.b;
    j.x = out + L.x;
    j.x0 = carry + L.carry;
    j.last = carry + L.carry;
    if (logIn) {
      j.aSign = signA ? reinterpret_cast<int8_t*>(in + L.aSign) : nullptr;
      j.bSign = signB ? reinterpret_cast<int8_t*>(in + L.bSign) : nullptr;
      j.xSign = reinterpret_cast<int8_t*>(out + L.xSign);
      j.x0Sign = reinterpret_cast<int8_t*>(carry + L.carrySign);
      j.lastSign = reinterpret_cast<int8_t*>(carry + L.carrySign);
    }
    return j;
  };

  // Reserve the scratch before anything is queued (the first chunk is the largest).
  ctx.ensureScratch(scanScratchBytes(chunkJob(chunks[0], st.slots[0]), ctx));

  CopyPool pool(copyWorkers());
  auto queue = [&](size_t ci, const Chunk& c, Slot& s) {
    char* in = static_cast<char*>(s.hostIn.ptr);
    char* din = static_cast<char*>(s.deviceIn.ptr);
    char* dout = static_cast<char*>(s.deviceOut.ptr);
    const size_t used = c.steps * c.rows;
    stageCoefficients(pool, s, c, L, elem, job.a, job.aStride, job.b, job.bStride, "staged scan H2D");
    if (signA) {
      copy2D(pool, in + L.aSign, c.steps, job.aSign + c.row0 * job.aStride + c.index0, job.aStride, c.steps, c.rows);
      check(cudaMemcpyAsync(din + L.aSign, in + L.aSign, used, cudaMemcpyHostToDevice, s.stream), "staged scan H2D");
    }
    if (signB) {
      copy2D(pool, in + L.bSign, c.steps, job.bSign + c.row0 * job.bStride + c.index0, job.bStride, c.steps, c.rows);
      check(cudaMemcpyAsync(din + L.bSign, in + L.bSign, used, cudaMemcpyHostToDevice, s.stream), "staged scan H2D");
    }
    if (c.firstOfRows) {  // x_0 of the row block (and its copy, written here on the host)
      for (size_t i = 0; i < c.rows; ++i) {
        size_t r = c.row0 + i;
        const char* src = static_cast<const char*>(job.x0) + r * job.x0Stride * elem;
        std::memcpy(in + L.x0 + i * elem, src, elem);
        int8_t sign = negative(job.x0Sign, r * job.x0Stride) ? -1 : 1;
        reinterpret_cast<int8_t*>(in + L.x0Sign)[i] = sign;
        if (job.x0Copy) {
          std::memcpy(static_cast<char*>(job.x0Copy) + r * job.x0CopyStride * elem, src, elem);
          if (logIn) job.x0CopySign[r * job.x0CopyStride] = sign;
        }
      }
    }
    // From here on the carry (and the scratch) of the previous chunk's kernel are in use.
    if (ci > 0) check(cudaStreamWaitEvent(s.stream, st.carryReady, 0), "cudaStreamWaitEvent (staged scan)");
    if (c.firstOfRows) {
      check(cudaMemcpyAsync(carry + L.carry, in + L.x0, c.rows * elem, cudaMemcpyHostToDevice, s.stream),
            "staged scan H2D (x0)");
      check(cudaMemcpyAsync(carry + L.carrySign, in + L.x0Sign, c.rows, cudaMemcpyHostToDevice, s.stream),
            "staged scan H2D (x0)");
    }
    enqueueScan(chunkJob(c, s), s.stream, ctx);
    if (c.lastOfRows) {
      check(cudaMemcpyAsync(dout + L.last, carry + L.carry, c.rows * elem, cudaMemcpyDeviceToDevice, s.stream),
            "staged scan (last)");
      check(cudaMemcpyAsync(dout + L.lastSign, carry + L.carrySign, c.rows, cudaMemcpyDeviceToDevice, s.stream),
            "staged scan (last)");
    }
    check(cudaEventRecord(st.carryReady, s.stream), "cudaEventRecord (staged scan)");
    char* hout = static_cast<char*>(s.hostOut.ptr);
    check(cudaMemcpyAsync(hout + L.x, dout + L.x, used * elem, cudaMemcpyDeviceToHost, s.stream), "staged scan D2H");
    if (logIn)
      check(cudaMemcpyAsync(hout + L.xSign, dout + L.xSign, used, cudaMemcpyDeviceToHost, s.stream), "staged scan D2H");
    if (c.lastOfRows)
      check(cudaMemcpyAsync(hout + L.last, dout + L.last, L.outBytes - L.last, cudaMemcpyDeviceToHost, s.stream),
            "staged scan D2H (last)");
    check(cudaEventRecord(s.done, s.stream), "cudaEventRecord (staged scan)");
  };
  auto collect = [&](const Chunk& c, Slot& s) {
    const char* out = static_cast<const char*>(s.hostOut.ptr);
    copy2D(pool, static_cast<char*>(job.x) + (c.row0 * job.xStride + c.index0) * elem, job.xStride * elem, out + L.x,
           c.steps * elem, c.steps * elem, c.rows);
    if (logIn)
      copy2D(pool, job.xSign + c.row0 * job.xStride + c.index0, job.xStride, out + L.xSign, c.steps, c.steps, c.rows);
    if (c.lastOfRows && job.last) {
      std::memcpy(static_cast<char*>(job.last) + c.row0 * elem, out + L.last, c.rows * elem);
      if (logIn) std::memcpy(job.lastSign + c.row0, out + L.lastSign, c.rows);
    }
  };
  runSlots(st, chunks, "staged scan (waiting for a chunk)", queue, collect);
}

}  // namespace cuda
}  // namespace linrec
