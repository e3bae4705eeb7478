//===- Placement.cpp - tensors on the host or on the device ---------------===//
//
// A CUDA session keeps parameters, optimizer state and entry results in
// device memory for the whole run; only batches go up and losses, outputs
// and checkpoints come down. These helpers are the only places that move
// tensor data between the two, so the loop and the commands stay the same
// for both targets.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cstdlib>
#include <cstring>

using namespace nnrt;

void Tensor::release() {
  if (place == Place::Device) {
    deviceFree(t.allocation);
    t = nnrt_tensor{};
    place = Place::Host;
    return;
  }
  nnrt_tensor_free(&t);
}

Status nnrt::copyTo(const Tensor &from, Place to, Tensor &out) {
  out.release();
  size_t bytes = from.bytes();
  if (to == Place::Host) {
    NNRT_TRY(out.alloc(from.t.dtype, from.shape()));
    if (from.place == Place::Host)
      memcpy(out.t.data, from.t.data, bytes);
    else
      NNRT_TRY(copyToHost(out.t.data, from.t.data, bytes));
    return nullptr;
  }
  void *p = deviceAlloc(bytes);
  if (!p)
    return cudaCheck();
  out.t = from.t;
  out.t.data = out.t.allocation = p;
  out.place = Place::Device;
  if (from.place == Place::Host)
    return copyToDevice(p, from.t.data, bytes);
  return copyOnDevice(p, from.t.data, bytes);
}

Status nnrt::moveTo(Tensor &t, Place to) {
  // An unallocated tensor (a failed host allocation) has nothing to move.
  if (t.place == to || !t.t.allocation)
    return nullptr;
  Tensor moved;
  NNRT_TRY(copyTo(t, to, moved));
  t = std::move(moved);
  return nullptr;
}

Uploads::~Uploads() {
  for (Slot &sl : slots) {
    if (sl.pinnedIsHeap)
      free(sl.pinned);
    else
      pinnedFree(sl.pinned);
    deviceFree(sl.device);
  }
}

Status Uploads::put(size_t slot, const nnrt_tensor &host,
                    const nnrt_tensor *&out) {
  out = &host;
  if (where == Place::Host)
    return nullptr;
  if (slots.size() <= slot)
    slots.resize(slot + 1);
  Slot &sl = slots[slot];
  size_t bytes = nnrt_tensor_numel(&host) * nnrt_dtype_size(host.dtype);
  // The last upload from the staging buffer must be done before it is
  // overwritten; usually a later sync (the loss) has seen to that.
  if (sl.uploadedAt != ~uint64_t(0))
    NNRT_TRY(deviceSync(sl.uploadedAt));
  if (bytes > sl.pinnedBytes || !sl.pinned) {
    if (sl.pinnedIsHeap)
      free(sl.pinned);
    else
      pinnedFree(sl.pinned);
    sl.pinned = pinnedAlloc(bytes);
    sl.pinnedIsHeap = !sl.pinned;
    // Without pinned memory the copy is synchronous, but still correct.
    if (!sl.pinned && !(sl.pinned = malloc(bytes ? bytes : 1)))
      return nnrt_status_make("out of memory allocating %zu bytes for a batch",
                              bytes);
    sl.pinnedBytes = bytes;
  }
  if (bytes > sl.deviceBytes || !sl.device) {
    deviceFree(sl.device);
    sl.device = deviceAlloc(bytes);
    sl.deviceBytes = bytes;
    if (!sl.device)
      return cudaCheck();
  }
  memcpy(sl.pinned, host.data, bytes);
  sl.uploadedAt = deviceSyncCount();
  NNRT_TRY(copyToDevice(sl.device, sl.pinned, bytes));
  sl.view = host;
  sl.view.data = sl.view.allocation = sl.device;
  out = &sl.view;
  return nullptr;
}
