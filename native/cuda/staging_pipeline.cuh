// Residency::Host: pageable inputs and outputs, staged through pinned buffers.
//
// The job is cut into chunks of R rows x w steps (w along n). Chunks of a row block go in step
// order; kSlots chunks are in flight, each slot with its own stream, pinned buffers and device
// buffers. Per chunk: CPU copies pageable -> pinned (a few threads), then on the slot's stream
// H2D, kernel, D2H; the CPU copies a slot's results out when it comes round again. The carry
// between chunks of a row block lives in one device array used as both x0 and last of each
// chunk's job, so consecutive kernels are chained by an event; copies of different slots
// overlap with each other and with the kernels. Chunk size follows free device memory, so
// inputs larger than the device are processed, not refused.
//
// This header: the slot rotation and the coefficient stager both pipelines use
// (staged_scan.cu, staged_aggregate.cu).
#pragma once

#include <vector>

#include "copy_pool.h"
#include "device_scan.cuh"
#include "staging_buffers.cuh"
#include "staging_geometry.cuh"

namespace linrec {
namespace cuda {
namespace staging {

// The slot rotation of both pipelines: chunk ci goes to slot ci % kSlots once collect() has
// taken that slot's previous chunk (after its D2H finished); queue() fills and queues it. At the
// end the remaining slots are collected in chunk order.
template <class Queue, class Collect>
void runSlots(Staging& st, const std::vector<Chunk>& chunks, const char* waiting, Queue&& queue, Collect&& collect) {
  std::vector<const Chunk*> pending(kSlots, nullptr);
  auto collectSlot = [&](size_t si) {
    if (!pending[si]) return;
    check(cudaEventSynchronize(st.slots[si].done), waiting);
    collect(*pending[si], st.slots[si]);
    pending[si] = nullptr;
  };
  for (size_t ci = 0; ci < chunks.size(); ++ci) {
    const size_t si = ci % kSlots;
    collectSlot(si);
    queue(ci, chunks[ci], st.slots[si]);
    pending[si] = &chunks[ci];
  }
  for (size_t k = 0; k < kSlots; ++k) collectSlot((chunks.size() + k) % kSlots);
}

// A chunk's a and b rows: pageable -> pinned (the copy pool), then H2D on the slot's stream.
inline void stageCoefficients(CopyPool& pool, Slot& s, const Chunk& c, const Layout& L, size_t elem, const void* a,
                              size_t aStride, const void* b, size_t bStride, const char* what) {
  char* in = static_cast<char*>(s.hostIn.ptr);
  char* din = static_cast<char*>(s.deviceIn.ptr);
  const size_t bytes = c.steps * c.rows * elem;
  copy2D(pool, in + L.a, c.steps * elem, static_cast<const char*>(a) + (c.row0 * aStride + c.index0) * elem,
         aStride * elem, c.steps * elem, c.rows);
  copy2D(pool, in + L.b, c.steps * elem, static_cast<const char*>(b) + (c.row0 * bStride + c.index0) * elem,
         bStride * elem, c.steps * elem, c.rows);
  check(cudaMemcpyAsync(din + L.a, in + L.a, bytes, cudaMemcpyHostToDevice, s.stream), what);
  check(cudaMemcpyAsync(din + L.b, in + L.b, bytes, cudaMemcpyHostToDevice, s.stream), what);
}

}  // namespace staging
}  // namespace cuda
}  // namespace linrec
