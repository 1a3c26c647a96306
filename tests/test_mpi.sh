#!/bin/sh
# test_mpi.sh: irmas-train data-parallel over two MPI ranks trains the
# model one process trains (within the order of the sums: irmas-model
# diff --tolerance 1e-5), and a run resumes from its checkpoint on another
# number of ranks, in both directions (rank 0 alone scanning the data
# and sending the index, each file read by one rank and its examples sent
# to the others); irmas-tag --recursive over two ranks
# prints what one process prints, in every format, a broken file reported
# among them. With the AudioSet teacher (../shared/teachers, or
# IRMAS_TEACHER_DIR), the teacher's targets are computed once between the
# ranks, each its share, and the model equals one process's.
#
# A tiny model (a vanilla RNN, 8 units) on a two-class corpus rendered
# here, in batches of 5 (shares of 3 and 2 rows) with dropout, so that the
# ranks must share the order, the masks and the batch's scale exactly.
#
# Usage: test_mpi.sh MPIRUN BUILD_DIR IRMAS_SYNTH SOURCE_DIR
set -eu
mpirun=$1 build=$(realpath "$2") synth=$(realpath "$3") source=$(realpath "$4")
train=$build/tools/irmas-train model_tool=$build/tools/irmas-model
tag=$build/tools/irmas-tag

scratch=$(mktemp -d "${TMPDIR:-/tmp}/irmas-train-mpi.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
cd "$scratch"

fail() { echo "test_mpi: $*" >&2; exit 1; }

# Open MPI on one machine: shared memory between the ranks, no network,
# no copying through ptrace (which containers often forbid).
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1
# mpirun binds each rank to a core, where OpenBLAS runs one thread; one
# thread everywhere makes its sums, and so the probabilities, the same.
export OPENBLAS_NUM_THREADS=1
# Under ASan, Open MPI's plugins, unloaded by MPI_Finalize, leave
# allocations LeakSanitizer can neither free nor name: the ranks run
# without leak checks (the one-process runs below check the same code).
mpi_asan="ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0"

"$synth" --out data --per-class 10 --seed 5 --classes cel,flu 2>synth.log ||
    { cat synth.log >&2; exit 1; }

run="--data data --model rnn --frame 300 --hidden 8 --dense 0 --mixdown
  --seed 1 --batch 5 --dropout 0.2 --lr 0.01"

# one NAME OPTIONS...: irmas-train alone; ranks N NAME OPTIONS...: on N.
one() {
    name=$1
    shift
    "$train" "$@" >"$name.out" 2>"$name.err" ||
        { cat "$name.err" >&2; fail "irmas-train ($name) failed"; }
}
ranks() {
    n=$1 name=$2
    shift 2
    env "$mpi_asan" timeout 120 "$mpirun" --allow-run-as-root --oversubscribe -np "$n" \
        "$@" >"$name.out" 2>"$name.err" ||
        { cat "$name.err" >&2; fail "mpirun -np $n $* failed"; }
}
# same A B: the models' weights agree within the order of the sums.
same() {
    "$model_tool" diff --tolerance 1e-5 "$1" "$2" >diff.out 2>&1 ||
        { cat diff.out >&2; fail "$1 and $2 differ"; }
}

# shellcheck disable=SC2086
{
    one one1 $run --threads 1 --epochs 1 --out one1.irm
    one one2 $run --threads 1 --epochs 2 --out one2.irm
    ranks 2 two1 "$train" $run --threads 2 --epochs 1 --out two1.irm
}
same one1.irm two1.irm
grep -q '^2 ranks; ' two1.err || fail "rank 0 did not report the ranks"
grep -q '^data: 20 files, scanned once and shared with 2 processes' two1.err ||
    fail "the data index was not scanned once and shared"
grep -q '^examples: each of 20 files read once between 2 processes' two1.err ||
    fail "the files were not read once between the ranks"
[ "$(grep -c '^epoch 1/1 ' two1.err)" -eq 1 ] ||
    fail "not one epoch line from rank 0 alone"
grep -q '^accuracy' two1.out || fail "no report from rank 0"
grep -v '^model:' one1.out >one1.report
grep -v '^model:' two1.out >two1.report
cmp -s one1.report two1.report || fail "the report differs from one process's"

# Resumed on one process after one epoch on two ranks, and the other way.
one resumed1 --resume two1.irm.ckpt --epochs 2
grep -q 'resuming after epoch 1' resumed1.err || fail "no resume on 1"
same one2.irm two1.irm
ranks 2 resumed2 "$train" --resume one1.irm.ckpt --epochs 2
grep -q 'resuming after epoch 1' resumed2.err || fail "no resume on 2"
same one2.irm one1.irm
echo "irmas-train: 2 ranks equal 1 process; resumed from 2 ranks on 1 and from 1 on 2"

# Distillation on two ranks: each file's teacher targets computed once
# between them, then read from the shared cache by both.
teacher=${IRMAS_TEACHER_DIR:-$source/../shared/teachers/efficientat-mn04}
if [ -f "$teacher/weights.f32" ]; then
    files=$(find data -name '*.wav' | wc -l)
    distill="--teacher $teacher --distill 0.5 --temperature 2 --threads 1
      --epochs 1"
    # shellcheck disable=SC2086
    {
        one oneT $run $distill --teacher-cache cache1 --out oneT.irm
        ranks 2 twoT "$train" $run $distill --teacher-cache cache2 --out twoT.irm
        ranks 2 twoT2 "$train" $run $distill --teacher-cache cache2 --out twoT2.irm
    }
    grep -q "0 files from the cache, $files computed (" oneT.err ||
        { cat oneT.err >&2; fail "one process did not compute the $files files' targets"; }
    grep -q "0 files from the cache, $files computed once between 2 processes" twoT.err ||
        { cat twoT.err >&2; fail "two ranks did not compute each file's targets once"; }
    grep -q "$files files from the cache, 0 computed once between 2 processes" twoT2.err ||
        { cat twoT2.err >&2; fail "two ranks did not read the shared cache"; }
    same oneT.irm twoT.irm
    same twoT.irm twoT2.irm
    echo "irmas-train --teacher: $files files' targets computed once between 2 ranks; the model equals one process's"
else
    echo "SKIP distillation on two ranks: no teacher weights at $teacher (set IRMAS_TEACHER_DIR)"
fi

# Tagging an archive: the corpus and a file that is not audio, in a
# folder tree, with the model trained above; one process, then two ranks.
mkdir archive
cp -r data/cel data/flu archive/
printf 'not audio' >archive/cel/broken.wav
for format in text csv json; do
    flag=--$format
    # (text is the default: --recursive, given twice, stands in for a flag)
    [ "$format" = text ] && flag=--recursive
    status=0
    "$tag" --model one2.irm --recursive "$flag" archive >"one.$format" \
        2>"one.$format.err" || status=$?
    [ "$status" -eq 1 ] || fail "irmas-tag ($format) exited $status, not 1"
    grep -q 'broken.wav: cannot open' "one.$format.err" ||
        fail "no word of the broken file"
    status=0
    env "$mpi_asan" timeout 120 "$mpirun" --allow-run-as-root --oversubscribe -np 2 "$tag" \
        --model one2.irm --recursive "$flag" archive >"two.$format" \
        2>"two.$format.err" || status=$?
    [ "$status" -eq 1 ] || { cat "two.$format.err" >&2;
        fail "mpirun irmas-tag ($format) exited $status, not 1"; }
    grep -q 'broken.wav: cannot open' "two.$format.err" ||
        fail "no word of the broken file from the ranks"
    grep -q '1 of 21 files failed' "two.$format.err" ||
        fail "rank 0 did not count the failure"
    cmp -s "one.$format" "two.$format" ||
        { diff "one.$format" "two.$format" >&2;
          fail "2 ranks tagged differently from 1 process ($format)"; }
done
grep -c ',summary,' one.csv | grep -qx 20 || fail "not 20 files tagged"
echo "irmas-tag --recursive: 2 ranks print what 1 process prints"

# Rank 0 alone lists the archive: a folder without audio is one error,
# said once, and the job ends.
mkdir empty-archive
status=0
env "$mpi_asan" timeout 120 "$mpirun" --allow-run-as-root --oversubscribe -np 2 "$tag" \
    --model one2.irm --recursive empty-archive >empty.out 2>empty.err ||
    status=$?
[ "$status" -ne 0 ] && [ "$status" -ne 124 ] ||
    { cat empty.err >&2; fail "mpirun irmas-tag on an empty folder exited $status"; }
[ "$(grep -c 'irmas-tag: error: .*empty-archive' empty.err)" -eq 1 ] ||
    { cat empty.err >&2; fail "the empty folder was not reported exactly once"; }
echo "irmas-tag --recursive: an empty archive is reported once, by rank 0"
