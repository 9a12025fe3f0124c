#!/bin/bash -eu
# ClusterFuzzLite runs the same build as OSS-Fuzz.
exec "$SRC/swapfuzz/tools/oss-fuzz/build.sh"
