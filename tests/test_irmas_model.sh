#!/bin/sh
# test_irmas_model.sh: irmas-model as a user runs it. new writes models of
# every architecture that info describes and check accepts; check refuses
# damaged, truncated and missing files with the reason; bad usage exits 2
# with a message; every command answers --help.
#
#     test_irmas_model.sh PATH/TO/irmas-model
set -u
tool=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect STATUS PATTERN COMMAND...: runs COMMAND and wants exit STATUS and
# the extended regular expression PATTERN in what it printed.
expect() {
    want=$1 pattern=$2
    shift 2
    "$@" >"$dir/out" 2>&1
    got=$?
    [ "$got" -eq "$want" ] ||
        fail "'$*' exited $got, wanted $want: $(cat "$dir/out")"
    printed "$pattern"
}

# printed PATTERN: the last command printed PATTERN.
printed() {
    grep -Eq -- "$1" "$dir/out" || fail "no '$1' in: $(cat "$dir/out")"
}

# Help and usage.
expect 0 '^usage: irmas-model COMMAND' "$tool" --help
expect 0 'usage: irmas-model info FILE' "$tool" info --help
expect 0 'usage: irmas-model check FILE' "$tool" check --help
expect 0 'UNTRAINED' "$tool" new --help
expect 2 '^usage: irmas-model COMMAND' "$tool"
expect 2 "unknown command 'frobnicate'" "$tool" frobnicate
expect 2 'give one model FILE' "$tool" info
expect 2 'give one model FILE' "$tool" check a.irm b.irm

# new_raw OPTIONS...: irmas-model new with a raw front-end at 8 kHz.
new_raw() {
    "$tool" new --frontend raw --frame 40 --rate 8000 --window 0.5 "$@"
}

# new, info and check, for every architecture.
for arch in rnn lstm gru gru-original blstm; do
    expect 0 "an untrained $arch model" new_raw --arch "$arch" \
        --hidden 8 --dense 12 --classes cel,cla,flu --out "$dir/$arch.irm"
    expect 0 "valid: 3 classes" "$tool" check "$dir/$arch.irm"
done

expect 0 'window +4000 samples \(0\.500 s\)' "$tool" info "$dir/lstm.irm"
printed 'raw: 40 samples per frame'
printed '40 features per frame, 100 frames per window'
printed 'classes +3: cel cla flu'
printed '0 lstm +40 -> 8 +1568 parameters'
printed '1 dense +8 -> 12, relu +108 parameters'
printed '2 dense +12 -> 3, softmax +39 parameters'
printed 'parameters +1715 '
printed 'provenance +untrained: random weights \(seed 1\); command: irmas-model new .*--arch lstm --hidden 8'
expect 0 '0 blstm +40 -> 2 x 8' "$tool" info "$dir/blstm.irm"
expect 0 'reset before \(original\)' "$tool" info "$dir/gru-original.irm"

expect 0 'untrained gru model' "$tool" new --arch gru --hidden 4 \
    --frontend logmel --fft 512 --mels 32 --rate 16000 --window 1 \
    --norm peak --classes a,b --seed 9 --out "$dir/logmel.irm"
expect 0 'logmel: 512-point FFT every 128 samples, 32 mel bands from 0 to 8000 Hz' \
    "$tool" info "$dir/logmel.irm"
printed '32 features per frame, 122 frames per window'
printed 'normalise +each window to peak 1'
printed 'seed 9'

# Damaged files.
cp "$dir/lstm.irm" "$dir/flipped.irm"
printf '\377' | dd of="$dir/flipped.irm" bs=1 seek=500 conv=notrunc 2>/dev/null
expect 1 'checksum mismatch: the file is damaged' "$tool" check "$dir/flipped.irm"
head -c 1000 "$dir/lstm.irm" >"$dir/short.irm"
expect 1 'short.irm is 1000 bytes but its header says .*truncated' \
    "$tool" info "$dir/short.irm"
expect 1 'No such file' "$tool" check "$dir/missing.irm"
expect 1 'is a folder' "$tool" check "$dir"
: >"$dir/empty.irm"
expect 1 'is empty' "$tool" check "$dir/empty.irm"

# Bad options for new.
expect 2 '--out is required' new_raw --arch lstm --hidden 8 --classes a,b
expect 2 "--arch is 'cnn'" new_raw --arch cnn --hidden 8 --classes a,b \
    --out "$dir/x.irm"
expect 2 '--hidden must be a whole number from 1 to 65536' new_raw \
    --arch lstm --hidden 0 --classes a,b --out "$dir/x.irm"
expect 2 '--frontend raw needs --frame' "$tool" new --arch lstm --hidden 8 \
    --frontend raw --rate 8000 --window 1 --classes a,b --out "$dir/x.irm"
expect 2 "--classes 'a,,b'" new_raw --arch lstm --hidden 8 --classes a,,b \
    --out "$dir/x.irm"
expect 2 "labels 0 and 1 are both 'a'" new_raw --arch lstm --hidden 8 \
    --classes a,a --out "$dir/x.irm"
expect 2 'shorter than one front-end frame' "$tool" new --arch lstm \
    --hidden 8 --frontend raw --frame 4000 --rate 8000 --window 0.1 \
    --classes a,b --out "$dir/x.irm"
expect 2 "--window must be a number" "$tool" new --arch lstm --hidden 8 \
    --frontend raw --frame 40 --rate 8000 --window soon --classes a,b \
    --out "$dir/x.irm"
expect 2 '--colour: unknown flag' "$tool" new --colour blue
[ ! -e "$dir/x.irm" ] || fail "a refused new wrote $dir/x.irm"

# diff: a model against itself, against other weights of the same shape,
# and against another shape.
expect 0 'usage: irmas-model diff' "$tool" diff --help
expect 2 'give two model files A B' "$tool" diff "$dir/lstm.irm"
expect 2 '--tolerance must be a number' "$tool" diff --tolerance x \
    "$dir/lstm.irm" "$dir/lstm.irm"
expect 0 '^0 lstm +w_x +1280 +0$' "$tool" diff --tolerance 0 \
    "$dir/lstm.irm" "$dir/lstm.irm"
printed '^2 dense +bias +3 +0$'
printed '^largest +0$'
new_raw --arch lstm --hidden 8 --dense 12 --classes cel,cla,flu --seed 2 \
    --out "$dir/lstm2.irm" >/dev/null
expect 0 '^largest +0\.[0-9]' "$tool" diff "$dir/lstm.irm" "$dir/lstm2.irm"
expect 1 'differ by 0\.[0-9]+, more than the tolerance 1e-05' "$tool" diff \
    --tolerance 1e-5 "$dir/lstm.irm" "$dir/lstm2.irm"
expect 1 'layer 0 differs: lstm with 3 tensors, gru with 4' "$tool" diff \
    "$dir/lstm.irm" "$dir/gru.irm"
new_raw --arch lstm --hidden 9 --dense 12 --classes cel,cla,flu \
    --out "$dir/lstm9.irm" >/dev/null
expect 1 'layer 0 \(lstm\) differs: tensor w_x of 1280 floats, w_x of 1440' \
    "$tool" diff "$dir/lstm.irm" "$dir/lstm9.irm"
expect 1 'no such file|cannot' "$tool" diff "$dir/lstm.irm" "$dir/none.irm"
expect 1 'cannot save /proc/x.irm' new_raw --arch lstm --hidden 8 \
    --classes a,b --out /proc/x.irm

# Image models and the statistics baseline: new, info and check.
for arch in cnn-b1 cnn-b2 cnn-b3 cnn-b4 crnn-b1 crnn-b4; do
    expect 0 "an untrained $arch model" "$tool" new --arch "$arch" \
        --rate 22050 --window 3 --classes cel,cla --out "$dir/$arch.irm"
    expect 0 "valid: 2 classes" "$tool" check "$dir/$arch.irm"
done
expect 0 'front-end +none: the model reads no frames' "$tool" info \
    "$dir/cnn-b1.irm"
printed 'image +mrp: 150 x 150 pixels, 3 channels \(resolutions\)'
printed '0 conv2d +3x150x150 -> 16x47x47, k10 s3 p0, relu +4816 parameters'
printed '1 maxpool +16x47x47 -> 16x15x15, 3x3 s3 +0 parameters'
printed '4 dense +288 -> 128, relu +36992 parameters'
printed 'parameters +54898 '
expect 0 'raw: 100 samples per frame' "$tool" info "$dir/crnn-b1.irm"
printed '100 features per frame, 661 frames per window'
printed '4 dense +288 -> 128, tanh'
printed '5 lstm +100 -> 128 +117248 parameters'
expect 0 'an untrained cnn-b2 model' "$tool" new --arch cnn-b2 --image stack \
    --image-size 128 --rate 8000 --window 1 --classes a,b,c --out "$dir/s.irm"
expect 0 'image +stack: 128 x 128 pixels, 1 channel$' "$tool" info "$dir/s.irm"
# cnn-mel reads the image it was made for, 64 x 64 logmel, by default.
expect 0 'an untrained cnn-mel model' "$tool" new --arch cnn-mel --rate 44100 \
    --window 3 --classes a,b --out "$dir/mel.irm"
expect 0 'image +logmel: 64 x 64 pixels, 1 channel$' "$tool" info "$dir/mel.irm"
printed 'parameters +125826 '
expect 0 'an untrained stats model' "$tool" new --arch stats --dense 16 \
    --mels 40 --rate 16000 --window 1 --classes a,b --out "$dir/stats.irm"
expect 0 'valid: 2 classes' "$tool" check "$dir/stats.irm"
expect 0 '0 stats +40 -> 80, mean and deviation +0 parameters' "$tool" info \
    "$dir/stats.irm"
printed 'logmel: 2048-point FFT every 512 samples, 40 mel bands'

expect 2 'cnn-b1 reads no frames; drop --frontend' new_raw --arch cnn-b1 \
    --classes a,b --out "$dir/x.irm"
expect 2 'crnn-b2 sets its own layers.* drop --hidden' "$tool" new \
    --arch crnn-b2 --hidden 64 --rate 8000 --window 1 --classes a,b \
    --out "$dir/x.irm"
expect 2 '--image, --image-size and --image-channels are for cnn' new_raw \
    --arch lstm --hidden 8 --image mrp --classes a,b --out "$dir/x.irm"
expect 2 "--image is 'png'; use stack, mrp or logmel" "$tool" new --arch cnn-b1 \
    --image png --rate 8000 --window 1 --classes a,b --out "$dir/x.irm"
expect 2 'cnn-b4 block 5 conv2d: a 3 x 3 kernel does not fit' "$tool" new \
    --arch cnn-b4 --image-size 64 --rate 8000 --window 1 --classes a,b \
    --out "$dir/x.irm"
expect 2 'a stacked image has one channel' "$tool" new --arch cnn-b1 \
    --image stack --image-channels 3 --rate 8000 --window 1 --classes a,b \
    --out "$dir/x.irm"
[ ! -e "$dir/x.irm" ] || fail "a refused new wrote $dir/x.irm"

# average: the mean of two models is half way from each; models of other
# shapes or classes are refused and nothing is written.
expect 0 'usage: irmas-model average' "$tool" average --help
expect 2 'give --out FILE and two or more model files' "$tool" average \
    --out "$dir/avg.irm" "$dir/lstm.irm"
expect 0 'avg.irm: the mean of 2 models' "$tool" average --out "$dir/avg.irm" \
    "$dir/lstm.irm" "$dir/lstm2.irm"
expect 0 'valid: 3 classes' "$tool" check "$dir/avg.irm"
expect 0 'weights averaged by irmas-model average over 2 models: .*lstm.irm, .*lstm2.irm' \
    "$tool" info "$dir/avg.irm"
apart=$("$tool" diff "$dir/lstm.irm" "$dir/lstm2.irm" | awk '/^largest/ {print $2}')
half=$("$tool" diff "$dir/avg.irm" "$dir/lstm2.irm" | awk '/^largest/ {print $2}')
awk -v a="$apart" -v h="$half" 'BEGIN { exit !(a > 0 && h > 0.49 * a && h < 0.51 * a) }' ||
    fail "the mean is $half from one model, wanted half of $apart"
expect 1 'have different shapes: layer 0 differs' "$tool" average \
    --out "$dir/x.irm" "$dir/lstm.irm" "$dir/gru.irm"
new_raw --arch lstm --hidden 8 --dense 12 --classes cla,cel,flu \
    --out "$dir/lstm-cla.irm" >/dev/null
expect 1 "class 1 is 'cel' in one and 'cla' in the other" "$tool" average \
    --out "$dir/x.irm" "$dir/lstm.irm" "$dir/lstm-cla.irm"
[ ! -e "$dir/x.irm" ] || fail "a refused average wrote $dir/x.irm"

echo "$failures failures"
[ "$failures" -eq 0 ]
