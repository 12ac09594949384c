// The protocol of the instrumented tiny-dnn programs (the model executor and the API driver):
// the exit codes they end with, read by the generator kit (runners/kit/generator.h) to classify
// each execution. Header-only and dependency-free: it is compiled into the instrumented programs
// by `dlcov instrument` and into the generators by CMake.
#pragma once

namespace dlcov {

enum ExecutorExit {
    kExecutorOk = 0,         // ran; outputs written, all finite
    kExecutorUnusable = 2,   // our own verdict: bad arguments, unreadable model or input
    kExecutorNaN = 3,        // ran; some output is NaN or infinite (outputs written)
    kExecutorException = 4,  // tiny-dnn threw
};

}  // namespace dlcov
