// Fresh tiny-dnn layers for LA and MLA, in the saved form tiny-dnn loads (the field names of each
// layer's load_and_construct). New weights are what Keras gives a new layer, as LEMON's added
// layers get: Glorot-uniform kernels and zero biases.
#pragma once
#include "random_source.h"
#include "tiny_model.h"

#include <string>

namespace dlcov::lemon {

// An activation-only layer (Keras' Activation): linear<act> with scale 1 and bias 0.
Layer make_linear(const Shape& at, const std::string& activation);
// Dropout; in the test phase (which the saved phase sets) it passes its input through.
Layer make_dropout(const Shape& at, float rate);
// Batch normalisation with running mean 0 and variance 1: per channel of a spatial shape, one
// channel for flat data.
Layer make_batchnorm(const Shape& at);
// power_layer: scale * x^factor.
Layer make_power(const Shape& at, float factor, float scale);
// Local response normalisation across channels (tiny-dnn 1.0.0a3 throws "not implemented" for
// within-channel regions).
Layer make_lrn(const Shape& at, unsigned size, const std::string& activation);
// Convolution with stride 1, "same" (pad 1) or "valid" padding, full connection table.
Layer make_conv(const Shape& in, unsigned out_channels, unsigned window, bool same_padding,
                const std::string& activation, RandomSource& random);
Layer make_fully_connected(size_t in, size_t out, const std::string& activation, RandomSource& random);
// Max or average pooling ("maxpool" or "avepool") with a square window and stride;
// pad_type 1 is "same". Average pooling weights are 1 and biases 0 (a plain average).
Layer make_pool(const std::string& kind, const Shape& in, unsigned size, unsigned stride, bool same_padding,
                const std::string& activation);

}  // namespace dlcov::lemon
