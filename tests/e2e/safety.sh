#!/bin/bash
# End-to-end checks that the runner never harms the host or loses results:
# owned state and bundle directories, results directories and files that
# cannot be shared or redirected, input checks, hostile strings in reports,
# and two runs started at once.  Needs root and runc.  Every run uses this
# test's own directories; every count is of this test's own run ids.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
t_runner_env "safety tests" runc python3
SMOKE=(--profile=smoke --runtimes=runc --tests=lifecycle --repeat=1 --timeout=120)

# ---- ownership ---------------------------------------------------------------
# a directory of someone else's files, with a mount below it
mkdir -p "$T_TMP/disk/top/sub" "$T_TMP/disk/mnt"
echo precious >"$T_TMP/disk/top/sub/file"
mount -t tmpfs safety-e2e "$T_TMP/disk/mnt"
listing() { find "$T_TMP/disk" | sort; grep -c " $T_TMP/disk/" /proc/self/mountinfo; }
listing >"$T_TMP/before"
t_exit 2 "cleanup refuses a foreign --bundle-dir" "$OCIBENCH" cleanup --state-dir="$ST" --bundle-dir="$T_TMP/disk"
t_err_line "... in one line naming it" "$T_TMP/disk"
t_exit 2 "run refuses a foreign --bundle-dir" "$OCIBENCH" "${SMOKE[@]}" --state-dir="$ST" --bundle-dir="$T_TMP/disk" --out="$T_TMP/never"
t_err_line "... in one line naming it" "$T_TMP/disk"
t_exit 2 "cleanup refuses a foreign --state-dir" "$OCIBENCH" cleanup --state-dir="$T_TMP/disk" --bundle-dir="$BD"
t_err_line "... in one line naming it" "$T_TMP/disk"
t_exit 2 "run refuses a foreign --state-dir" "$OCIBENCH" "${SMOKE[@]}" --state-dir="$T_TMP/disk" --bundle-dir="$BD" --out="$T_TMP/never"
listing >"$T_TMP/after"
t_ok "... and nothing there was touched (files, mount)" cmp "$T_TMP/before" "$T_TMP/after"
t_ok "... no results directory made" test ! -e "$T_TMP/never"
umount "$T_TMP/disk/mnt"

t_ok "a run in fresh directories" OB "${SMOKE[@]}" --out="$T_TMP/res1"
t_ok "... marks both as ocibench's" test -f "$ST/.ocibench-owned" -a -f "$BD/.ocibench-owned"
# entries that are not run ids stay, even in ocibench's own directories
mkdir -p "$BD/keep-me" "$ST/runs"
echo '{}' >"$ST/runs/notes.json"
mkdir -p "$BD/20000101T000000-999999999"
t_ok "cleanup in owned directories" OB cleanup
t_ok "... removes a dead run's bundle directory" test ! -e "$BD/20000101T000000-999999999"
t_ok "... keeps what is not named by a run id" test -d "$BD/keep-me" -a -f "$ST/runs/notes.json"
# an empty directory is adopted
mkdir -p "$T_TMP/empty-bd"
t_ok "an empty --bundle-dir is accepted" "$OCIBENCH" cleanup --state-dir="$ST" --bundle-dir="$T_TMP/empty-bd"

# ---- results directory and files --------------------------------------------
mkdir -p "$T_TMP/out-link"
ln -s "$T_TMP/victim" "$T_TMP/out-link/raw.jsonl"
t_exit 2 "an --out with a (dangling) symlink raw.jsonl is refused" OB "${SMOKE[@]}" --out="$T_TMP/out-link"
t_err_line "... in one line naming it" raw.jsonl
t_ok "... and nothing is written through it" test ! -e "$T_TMP/victim"
for f in manifest.json report.md summary.csv plots; do
	mkdir -p "$T_TMP/out-$f"
	echo mine >"$T_TMP/out-$f/$f"
	t_exit 2 "an --out holding $f is refused" OB "${SMOKE[@]}" --out="$T_TMP/out-$f"
	t_ok "... and $f is left as it was" grep -qx mine "$T_TMP/out-$f/$f"
done
mkdir -p "$T_TMP/out-other"
echo notes >"$T_TMP/out-other/notes.txt"
t_ok "an --out with other files only is used" OB "${SMOKE[@]}" --out="$T_TMP/out-other"
t_ok "... and they stay" grep -qx notes "$T_TMP/out-other/notes.txt"
t_ok "no temporary file left in it" sh -c "[ -z \"\$(find '$T_TMP/out-other' -name '*.tmp*')\" ]"

# ---- input -------------------------------------------------------------------
t_exit 2 "runtime name '..' is refused" OB runtimes --runtime=..=/usr/sbin/runc
t_err_line "... in one line naming it" "'\.\.'"
t_exit 2 "runtime name '.' is refused" OB runtimes --runtime=.=/usr/sbin/runc
t_exit 2 "--net-subnet 8.8.8.0/24 is refused" OB "${SMOKE[@]}" --net-subnet=8.8.8.0/24 --out="$T_TMP/never"
t_err_line "... in one line naming it" 8.8.8.0/24
for net in 10.1.2.0/24 172.31.0.0/24 192.168.77.0/24; do
	# the subnet is checked first: the unknown --net-peer after it shows it passed
	t_exit 2 "--net-subnet $net is accepted" \
		OB "${SMOKE[@]}" --net-subnet=$net --net-peer=nosuch --out="$T_TMP/never"
	cp "$T_TMP/err" "$T_TMP/last"
	t_ok "... (the error is about --net-peer)" grep -q "net-peer" "$T_TMP/last"
done
# a /24 that a live run of the state directory holds is refused
OB_TEST_STOP_AT=unpack "$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" "${SMOKE[@]}" \
	--out="$T_TMP/res-hold" >/dev/null 2>"$T_TMP/hold.err" &
hold=$!
for _ in $(seq 1 600); do [ "$(awk '{print $3}' /proc/$hold/stat 2>/dev/null)" = T ] && break; sleep 0.1; done
held=$(jq -r .subnet "$ST/runs/"*"-$hold.json" 2>/dev/null)
t_exit 2 "--net-subnet held by a live run ($held) is refused" OB "${SMOKE[@]}" --net-subnet="$held" --out="$T_TMP/never"
t_err_line "... in one line naming it and the run" "'$held' is in use by the live run [0-9T]*-$hold"
kill -CONT $hold
wait $hold
t_ok "... and the holder finishes well" test $? = 0
# a relative --bundle-dir: bind sources in config.json must be absolute
mkdir -p "$T_TMP/rel"
t_ok "a relative --bundle-dir and --state-dir work for a bind cell" \
	sh -c "cd '$T_TMP/rel' && '$OCIBENCH' --state-dir=st --bundle-dir=bd --profile=smoke --runtimes=runc --tests=fileio --mount=bind --repeat=1 --timeout=300 --out=res"
t_ok "... every cell ok" jq -e -s 'length > 0 and all(.status == "ok")' "$T_TMP/rel/res/raw.jsonl"
t_ok "... the directories are where the working directory said" test -f "$T_TMP/rel/bd/.ocibench-owned" -a -d "$T_TMP/rel/st/runs"

# ---- hostile strings: nothing runs, the report is still written --------------
H=$T_TMP/hostile
mkdir -p "$H"
python3 - "$S/tests/fixtures/results/raw.jsonl" "$H" "$T_TMP/PWNED" <<'EOF'
import json, sys
src, out, pwned = sys.argv[1:4]
evil = [
    "x'\nsystem('touch %s')\n#" % pwned,
    'x"\nsystem("touch %s")\n#' % pwned,
    "x\\'\n`touch %s`\n" % pwned,
    "a|b\n| c |\r\n<script>x</script>[l](http://e)\\|",
    "a,b\"c\nd",
]
lines = []
for i, l in enumerate(open(src)):
    try:
        r = json.loads(l)
    except ValueError:
        continue
    e = evil[i % len(evil)]
    r["variant"] = (r["variant"] or "v") + e
    r["runtime"] = r["runtime"] + e
    r["runtime_version"] = e
    r["runtime_path"] = "/usr/bin/" + e
    if r.get("status") != "ok":
        r["stderr_tail"] = e + "\n```\n" + e
    lines.append(json.dumps(r))
open(out + "/raw.jsonl", "w").write("\n".join(lines) + "\n")
m = json.load(open(src.replace("raw.jsonl", "manifest.json")))
m["command_line"] = ["ocibench", evil[0], evil[3]]
m["host"]["hostname"] = evil[1]
open(out + "/manifest.json", "w").write(json.dumps(m))
EOF
t_ok "report on hostile strings succeeds" "$OCIBENCH" report "$H"
t_ok "... nothing ran (no file made by gnuplot or a shell)" test ! -e "$T_TMP/PWNED"
t_ok "... report.md and summary.csv are written" test -s "$H/report.md" -a -s "$H/summary.csv"
t_ok "... summary.csv is RFC 4180 with 15 fields in every record" python3 -c "
import csv, sys
rows = list(csv.reader(open('$H/summary.csv', newline='')))
assert len(rows) > 1 and all(len(r) == 15 for r in rows), [len(r) for r in rows]"
cat >"$T_TMP/mdcheck.py" <<'EOF'
import re, sys
# every row of a table has the header's number of unescaped pipes
head = None
for line in open(sys.argv[1]):
    if not line.startswith("|"):
        head = None
        continue
    n = len(re.findall(r"(?<!\\)\|", line.replace("\\\\", "")))
    head = n if head is None else head
    if n != head:
        sys.exit("%d pipes, header %d: %s" % (n, head, line))
EOF
t_ok "... every Markdown table row has its column count (no raw | or line break)" \
	python3 "$T_TMP/mdcheck.py" "$H/report.md"
t_ok "... report.html has no raw tag from the data" \
	sh -c "[ ! -e '$H/report.html' ] || ! grep -q '<script>x' '$H/report.html'"
# (stderr tails are indented code blocks, shown verbatim)
t_ok "... no raw HTML tag from the data outside code blocks" \
	sh -c "! grep -v '^      ' '$H/report.md' | grep -q '<script>'"

# ---- formulas for spreadsheets, escape sequences for terminals -----------------
# strings that start a CSV cell as a formula, and terminal control sequences
# (window title, clear screen, C1 CSI) in the names report and compare print
F=$T_TMP/formula
mkdir -p "$F"
python3 - "$S/tests/fixtures/results/raw.jsonl" "$F" <<'EOF2'
import json, sys
src, out = sys.argv[1:3]
evil = ["=HYPERLINK(\"http://e\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
        "\x1b]0;owned\x07\x1b[2J\u009b31m"]
lines = []
names = {}
for l in open(src):
    try:
        r = json.loads(l)
    except ValueError:
        continue
    if r["runtime"] == "runc":  # the baseline of compare --study keeps its name
        r["accel"] = evil[4]
    else:
        names.setdefault(r["runtime"], evil[len(names) % 4] + "\x1b]0;owned\x07")
        r["runtime"] = names[r["runtime"]]
    if r.get("variant"):
        r["variant"] = evil[4] + r["variant"]
    lines.append(json.dumps(r))
open(out + "/raw.jsonl", "w").write("\n".join(lines) + "\n")
EOF2
t_ok "report on formulas and escape sequences succeeds" sh -c "'$OCIBENCH' report '$F' >'$T_TMP/formula.out'"
# (a control character other than the line feed, or a C1 one in UTF-8)
ctl() { ! LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')\\|$(printf '\302[\200-\237]')" "$1"; }
t_ok "... its table on the terminal has no control character" ctl "$T_TMP/formula.out"
t_ok "... and still names the runtimes" grep -q 'HYPERLINK' "$T_TMP/formula.out"
t_ok "compare A B on them succeeds" sh -c "'$OCIBENCH' compare '$F' '$F' >'$T_TMP/formula.cmp'"
t_ok "... no control character on the terminal" ctl "$T_TMP/formula.cmp"
t_ok "compare --study on them succeeds" sh -c "'$OCIBENCH' compare '$F' --study x86_64 >'$T_TMP/formula.study'"
t_ok "... no control character on the terminal" ctl "$T_TMP/formula.study"
t_ok "... summary.csv: no cell a spreadsheet would run (= + - @ first)" python3 -c "
import csv
rows = list(csv.reader(open('$F/summary.csv', newline='')))
assert len(rows) > 1 and all(len(r) == 15 for r in rows), [len(r) for r in rows]
bad = [c for r in rows for c in r if c[:1] in ('=', '+', '-', '@')]
assert not bad, bad
assert any(r[0].startswith(\"'=HYPERLINK\") for r in rows), 'runtime names kept'"

# ---- two runs at once with the default directories ---------------------------
# /run/ocibench and /var/lib/ocibench/bundles, as a user gets them.  A run
# sweeps only the leftovers of dead runs there, so other live runs (with
# these or their own directories) are never touched.
DST=/run/ocibench DBD=/var/lib/ocibench/bundles
made= # what this test adds there, deepest first
for d in /var/lib/ocibench "$DBD" "$DBD/.ocibench-owned" "$DST" "$DST/.ocibench-owned" "$DST/runs" \
	"$DST/root" "$DST/root/runc"; do
	[ -e "$d" ] || made="$d $made"
done
mkdir -p "$T_TMP/conc"
# every name in use while both run: bundle directories, containers, netns
(while :; do
	ls "$DBD"; runc --root "$DST/root/runc" list --quiet; ls /var/run/netns
	sleep 0.2
done >"$T_TMP/conc/seen" 2>/dev/null) &
watch=$!
for i in 1 2; do
	(cd "$T_TMP/conc" && exec "$OCIBENCH" --profile=smoke --runtimes=runc --tests=lifecycle,net \
		--repeat=1 --timeout=300 >"$T_TMP/conc/out$i" 2>"$T_TMP/conc/err$i") &
	eval "pid$i=\$!"
done
wait "$pid1"; rc1=$?
wait "$pid2"; rc2=$?
kill "$watch"; wait "$watch" 2>/dev/null
if [ "$rc1$rc2" = 22 ] && grep -q "refusing to use it" "$T_TMP/conc/err1"; then
	t_skip "two runs at once with the default directories" "$(head -1 "$T_TMP/conc/err1")"
else
	t_ok "two runs at once with the default directories both succeed" test "$rc1" = 0 -a "$rc2" = 0
	dirs=$(ls -d "$T_TMP"/conc/results/*/ 2>/dev/null | wc -l)
	t_ok "... in two results directories ($dirs)" test "$dirs" = 2
	cat "$T_TMP"/conc/results/*/raw.jsonl >"$T_TMP/conc/all.jsonl" 2>/dev/null
	t_ok "... every cell of both ok (neither swept nor took the other's things)" \
		jq -e -s 'length == 6 and all(.status == "ok")' "$T_TMP/conc/all.jsonl"
	t_ok "... two run ids, each in one directory only" sh -c "
		for d in '$T_TMP'/conc/results/*/; do jq -r .run_id \"\$d/raw.jsonl\" | sort -u | wc -l; done | grep -vx 1 | wc -l | grep -qx 0 &&
		jq -r .run_id '$T_TMP/conc/all.jsonl' | sort -u | wc -l | grep -qx 2"
	t_ok "... two subnets, one per run (their net cells)" sh -c "
		jq -r 'select(.test == \"net\") | .run_id + \" \" + .net.subnet' '$T_TMP/conc/all.jsonl' | sort -u >'$T_TMP/conc/nets' &&
		[ \$(wc -l <'$T_TMP/conc/nets') = 2 ] && [ \$(cut -d' ' -f2 '$T_TMP/conc/nets' | sort -u | wc -l) = 2 ]"
	ids=$(jq -r .run_id "$T_TMP/conc/all.jsonl" | sort -u)
	both=1
	for id in $ids; do
		for what in "^$id\$" "^ocibench-$id-[0-9]" "^ocibench-$id-n"; do
			grep -q -- "$what" "$T_TMP/conc/seen" || { echo "# never seen: $what"; both=0; }
		done
	done
	t_ok "... each made its own bundle directory, containers and netns (named by its run id)" \
		test "$both" = 1 -a "$(echo "$ids" | wc -w)" = 2
	left=
	for id in $ids; do
		[ -e "$DBD/$id" ] && left="$left bundle:$id"
		[ -e "$DST/runs/$id.json" ] && left="$left state:$id"
		runc --root "$DST/root/runc" list --quiet 2>/dev/null | grep -q -- "ocibench-$id-" && left="$left container:$id"
		ls /var/run/netns 2>/dev/null | grep -q -- "ocibench-$id-" && left="$left netns:$id"
		grep -q -- "$id" /proc/self/mountinfo && left="$left mount:$id"
	done
	t_ok "... nothing of either left (bundle, state file, container, netns, mount)${left:+:$left}" test -z "$left"
fi
# what this test added to the default directories goes again (a directory
# only when empty; without its marker, a directory that holds only
# ocibench's own entries is still accepted)
for d in $made; do
	case $d in
	*/.ocibench-owned) rm -f "$d" ;;
	*) rmdir "$d" 2>/dev/null ;;
	esac
done

t_done
