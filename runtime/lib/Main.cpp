//===- Main.cpp - main() of the executables that nnc makes ----------------===//
//
// Pulled from libnnrt.a only by a link that needs main: the object nnc
// emits defines the manifest and the entry points below. A model without a
// train block has no train_step/gradients/apply_gradients(_slice) (and a GPU
// build no gradients_f64), hence the weak references.
//
//===----------------------------------------------------------------------===//

#include "nnrt/nnrt.h"

extern "C" {
extern const char nnc_manifest[];
void nnc_call_forward(void **args);
__attribute__((weak)) void nnc_call_train_step(void **args);
__attribute__((weak)) void nnc_call_gradients(void **args);
__attribute__((weak)) void nnc_call_apply_gradients(void **args);
__attribute__((weak)) void nnc_call_gradients_f64(void **args);
__attribute__((weak)) void nnc_call_apply_gradients_slice(void **args);
}

int main(int argc, char **argv) {
  nnrt_model model = {nnc_manifest,
                      nnc_call_forward,
                      nnc_call_train_step,
                      nnc_call_gradients,
                      nnc_call_apply_gradients,
                      nnc_call_gradients_f64,
                      nnc_call_apply_gradients_slice};
  return nnrt_cli_main(&model, argc, argv);
}
