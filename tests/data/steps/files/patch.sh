#!/bin/sh
# Patch the host; runs from standard input, never from a file.
set -eu
echo "patching $(uname -n)"
