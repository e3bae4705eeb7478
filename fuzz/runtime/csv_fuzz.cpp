//===- csv_fuzz.cpp - libFuzzer target for the CSV reader -----------------===//
//
// The input is a CSV file, gzip-compressed or not, read as nnrt_csv_read
// reads it with each header setting and with the label first, last and
// second (Common.h says what counts as a finding).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

static void readAs(const std::vector<uint8_t> &bytes, int64_t label,
                   nnrt_csv_header header) {
  nnrt::Tensor x, y;
  if (fuzz::failed(nnrt::parseCsv(fuzz::kPath, bytes, label, header, x, y)))
    return;
  if (x.t.rank != 2 || y.t.rank != 1 || x.t.dtype != NNRT_F32 ||
      y.t.dtype != NNRT_F64 || x.t.shape[0] != y.t.shape[0] || x.t.shape[0] < 1)
    fuzz::finding(
        "CSV features and labels disagree",
        (nnrt::formatShape(x.shape()) + " and " + nnrt::formatShape(y.shape()))
            .c_str());
  fuzz::checkTensor(x);
  fuzz::checkTensor(y);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes;
  if (!fuzz::fileBytes(data, size, bytes))
    return 0;
  readAs(bytes, -1, NNRT_CSV_HEADER_AUTO);
  readAs(bytes, 0, NNRT_CSV_HEADER_TRUE);
  readAs(bytes, 1, NNRT_CSV_HEADER_FALSE);
  return 0;
}
