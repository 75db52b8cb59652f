#!/bin/bash
# End-to-end checks of the OCI image (containers/build-image, `make image`)
# and of its reader runner/oci/image*.c (through tests/unit/image-tool).
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
BUILD="bash $S/containers/build-image"
# the reader is built for the host of the build: run it under the emulator in cross builds
tool() { ${OB_EMU:-} "$B/tests/unit/image-tool" "$@"; }
IMG=$B/containers/oci
CPU=$B/ocibench-cpu
# The reader comes with the runner, which a cross build without the
# architecture's libarchive does not have: the platform is then the one this
# test expects for configure's host cpu.
have_tool=; [ -x "$B/tests/unit/image-tool" ] && have_tool=1
if [ -n "$have_tool" ]; then
	host_platform=$(tool host-arch) # arch[/variant]
	host=${host_platform%%/*}
else
	case ${OB_HOST_CPU:-} in
	x86_64) host=amd64 ;; aarch64) host=arm64 ;; arm*) host=arm ;;
	powerpc64le) host=ppc64le ;; s390x | riscv64) host=$OB_HOST_CPU ;;
	*) echo "Bail out! no image-tool and unknown OB_HOST_CPU '${OB_HOST_CPU:-}'"; exit 99 ;;
	esac
fi
case $host in arm64) other=amd64 ;; *) other=arm64 ;; esac

manifest_of() { jq -r '.manifests[0].digest' "$1/index.json"; }
blob() { echo "$1/blobs/sha256/${2#sha256:}"; }
layer_of() { # LAYOUT: the (only) layer blob of the first manifest
	blob "$1" "$(jq -r '.layers[0].digest' "$(blob "$1" "$(manifest_of "$1")")")"
}

# -- the build -----------------------------------------------------------------
t_ok "make image built the layout and the archive" test -f "$IMG/index.json" -a -f "$B/containers/ocibench-oci.tar"
t_ok "build-image (1st)" $BUILD "$host" "$T_TMP/a" "$CPU"
t_ok "build-image (2nd)" $BUILD "$host" "$T_TMP/b" "$CPU"
da=$(manifest_of "$T_TMP/a/oci")
t_ok "same binaries, same manifest digest" test -n "$da" -a "$da" = "$(manifest_of "$T_TMP/b/oci")"
t_ok "same binaries, byte-identical OCI archive" cmp "$T_TMP/a/ocibench-oci.tar" "$T_TMP/b/ocibench-oci.tar"
cp "$CPU" "$T_TMP/ocibench-x"
t_ok "build-image with two binaries, in both orders" sh -c "$BUILD '$host' '$T_TMP/c' '$CPU' '$T_TMP/ocibench-x' &&
	$BUILD '$host' '$T_TMP/d' '$T_TMP/ocibench-x' '$CPU'"
dc=$(manifest_of "$T_TMP/c/oci")
t_ok "argument order does not change the digest" test -n "$dc" -a "$dc" = "$(manifest_of "$T_TMP/d/oci")"
t_exit 2 "unknown architecture is refused" $BUILD sparc "$T_TMP/e" "$CPU"
t_err_line "one line naming it" "'sparc'"
t_exit 1 "a missing binary is refused" $BUILD "$host" "$T_TMP/e" "$T_TMP/nonexistent"
t_err_line "one line naming it" "nonexistent"

jq . "$IMG/index.json" >"$T_TMP/index.json"
t_jq "index.json: one manifest tagged latest with the host platform" \
	".manifests | length == 1 and .[0].annotations[\"org.opencontainers.image.ref.name\"] == \"latest\"
	 and .[0].platform.os == \"linux\" and .[0].platform.architecture == \"$host\"
	 and .[0].mediaType == \"application/vnd.oci.image.manifest.v1+json\"" "$T_TMP/index.json"
t_jq "oci-layout version 1.0.0" '.imageLayoutVersion == "1.0.0"' "$IMG/oci-layout"
cfg=$(blob "$IMG" "$(jq -r .config.digest "$(blob "$IMG" "$(manifest_of "$IMG")")")")
t_jq "config: platform, entrypoint, PATH, fixed date" \
	".architecture == \"$host\" and .os == \"linux\" and .config.Entrypoint == [\"/bin/ocibench-cpu\"]
	 and .config.Env == [\"PATH=/bin\"] and .created == \"1970-01-01T00:00:00Z\"" "$cfg"
t_ok "diff_id is the sha256 of the uncompressed layer" test \
	"$(jq -r '.rootfs.diff_ids[0]' "$cfg")" = "sha256:$(gzip -dc "$(layer_of "$IMG")" | sha256sum | cut -d' ' -f1)"

# the layer: exactly /bin, the binaries and /tmp, 0:0, mtime 0
# (a sanitizer build's workloads link dynamically: its layers also carry
# their shared libraries, under lib/ and lib64/ only)
no_libs() {
	if [ "${OB_SANITIZERS:-}" = yes ]; then
		grep -Ev '^(lib|lib64)/([a-z0-9_-]+/)?([A-Za-z0-9_+-]+\.so[.0-9]*|[a-z0-9_.-]+\.so\.[0-9]+)?$'
	else
		cat
	fi
}
TZ=UTC tar --numeric-owner --full-time -tvzf "$(layer_of "$T_TMP/c/oci")" >"$T_TMP/layer.lst"
t_ok "layer holds exactly bin/, the binaries and tmp/" test \
	"$(awk '{print $NF}' "$T_TMP/layer.lst" | no_libs | tr '\n' ' ')" = "bin/ bin/ocibench-cpu bin/ocibench-x tmp/ "
t_ok "every entry 0/0, mtime 1970-01-01 00:00:00" \
	awk '$2 != "0/0" || $4 != "1970-01-01" || $5 != "00:00:00" {bad=1} END {exit bad}' "$T_TMP/layer.lst"
t_ok "modes: binaries 0755, tmp 1777" sh -c \
	"grep -q '^-rwxr-xr-x .* bin/ocibench-cpu\$' '$T_TMP/layer.lst' && grep -q '^drwxrwxrwt .* tmp/\$' '$T_TMP/layer.lst'"
TZ=UTC tar -tzf "$(layer_of "$IMG")" >"$T_TMP/make-layer.lst"
no_libs <"$T_TMP/make-layer.lst" >"$T_TMP/make-layer.own"
t_ok "make's layer holds only bin/ocibench-* and tmp/" \
	awk '$0 != "bin/" && $0 != "tmp/" && $0 !~ /^bin\/ocibench-[a-z0-9-]+$/ {bad=1} END {exit bad}' "$T_TMP/make-layer.own"
mapfile -t bins < <(sed -n 's,^bin/\(ocibench-.*\),'"$B"'/\1,p' "$T_TMP/make-layer.lst")
t_ok "rebuilding from make's binaries gives make's digest" sh -c \
	"$BUILD '$host' '$T_TMP/remake' ${bins[*]} && test \"\$(jq -r '.manifests[0].digest' $T_TMP/remake/oci/index.json)\" = '$(manifest_of "$IMG")'"

# -- other tools accept it --------------------------------------------------------
if command -v umoci >/dev/null; then
	t_ok "umoci stat" umoci stat --image "$IMG:latest"
	rootless=; [ "$(id -u)" = 0 ] || rootless=--rootless
	t_ok "umoci unpack" umoci unpack $rootless --image "$IMG:latest" "$T_TMP/umoci"
	t_ok "umoci's rootfs has the binary" cmp "$T_TMP/umoci/rootfs/bin/ocibench-cpu" "$CPU"
else
	t_skip "umoci stat/unpack" "umoci not installed"
fi
if command -v skopeo >/dev/null; then
	t_ok "skopeo inspect oci:DIR:latest" skopeo inspect "oci:$IMG:latest"
	t_jq "skopeo sees the digest and platform" \
		".Digest == \"$(manifest_of "$IMG")\" and .Architecture == \"$host\" and .Os == \"linux\"" "$T_TMP/out"
	t_ok "skopeo copy oci: -> oci-archive:" skopeo copy -q "oci:$IMG:latest" "oci-archive:$T_TMP/copy.tar"
	t_ok "skopeo inspect of the built OCI archive" skopeo inspect "oci-archive:$B/containers/ocibench-oci.tar"
	t_jq "the archive holds the same manifest" ".Digest == \"$(manifest_of "$IMG")\"" "$T_TMP/out"
else
	t_skip "skopeo inspect/copy" "skopeo not installed"
fi
# containerd: a private daemon (root, state and sockets in a temp dir, no CRI)
# imports the archive and unpacks it into its snapshotter.  Native builds
# only: containerd unpacks the host's platform.
ctrd_import() {
	local d pid rc=1
	d=$(mktemp -d /var/tmp/ob-ctrd.XXXXXX) || return 1
	cat >"$d/config.toml" <<EOC
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[debug]
  address = "$d/debug.sock"
EOC
	containerd --config "$d/config.toml" >"$d/log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -S "$d/containerd.sock" ] && break; sleep 0.1; done
	if ctr --address "$d/containerd.sock" -n ocibench-test images import \
		--base-name docker.io/library/ocibench "$B/containers/ocibench-oci.tar" &&
	   ctr --address "$d/containerd.sock" -n ocibench-test images ls; then
		rc=0
	else
		tail -5 "$d/log" >&2
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -rf "$d"
	return $rc
}
if [ -n "${OB_EMU:-}" ]; then
	t_skip "ctr images import" "cross build: containerd unpacks the host's platform only"
elif command -v containerd >/dev/null && command -v ctr >/dev/null && [ "$(id -u)" = 0 ]; then
	t_ok "ctr images import into a private containerd (unpacked)" ctrd_import
	cp "$T_TMP/out" "$T_TMP/ctr.txt"
	t_ok "containerd lists it under the layout's manifest digest" \
		grep -q "docker.io/library/ocibench:latest .*$(manifest_of "$IMG")" "$T_TMP/ctr.txt"
else
	t_skip "ctr images import" "containerd not installed (apt-get install containerd) or not root"
fi

# -- multi-architecture index (containers/build-index, make image-multiarch) ----
# the other platform's layout is built from the same binaries: only the
# platform bookkeeping is under test here
t_ok "a layout for the other platform" $BUILD "$other" "$T_TMP/other" "$CPU"
t_ok "build-index merges the two layouts" bash "$S/containers/build-index" "$T_TMP/multiarch" "$IMG" "$T_TMP/other/oci"
if command -v skopeo >/dev/null; then
	skopeo inspect --raw "oci:$T_TMP/multiarch:latest" >"$T_TMP/raw.json" 2>"$T_TMP/err"
	t_jq "skopeo inspect --raw shows both platforms" \
		"[.manifests[].platform.architecture] | sort == ([\"$host\", \"$other\"] | sort)" "$T_TMP/raw.json"
else
	t_skip "skopeo inspect --raw shows both platforms" "skopeo not installed"
fi
t_exit 2 "two images for one platform are refused" bash "$S/containers/build-index" "$T_TMP/dup" "$IMG" "$IMG"
t_err_line "one line naming the platform" "more than one image"
if [ -z "$have_tool" ]; then
	t_skip "the image reader and unpacker (runner/oci/image*.c)" "no runner in this build (no libarchive for ${OB_HOST_CPU:-})"
	t_done
	exit
fi

# -- the reader (runner/oci/image.c) ---------------------------------------------------
t_ok "open picks the host platform" tool open "$IMG"
t_jq "manifest, config, entrypoint, env, one layer" \
	".manifest_digest == \"$(manifest_of "$IMG")\" and .arch == \"$host\" and .os == \"linux\"
	 and .entrypoint == [\"/bin/ocibench-cpu\"] and .env == [\"PATH=/bin\"] and (.layers | length) == 1" "$T_TMP/out"
t_ok "open by tag latest" tool open "$IMG" latest "$host"
t_exit 1 "an unknown tag is refused" tool open "$IMG" nosuchtag
t_err_line "one line naming the tag" "'nosuchtag'"
t_exit 77 "the host arch is refused when the image lacks it" tool open "$IMG" - "$other"
t_err_line "one line naming the platforms" "has linux/$host\(/v[0-9]\)\? only, wanted $other"

# a foreign-only image (binaries do not matter: only the platform is read)
$BUILD "$other" "$T_TMP/other" "$CPU" >/dev/null
t_exit 77 "a $other-only image is refused on $host" tool open "$T_TMP/other/oci"
t_err_line "clear message" "has linux/$other.* only, host is $host"

# multi-platform: one index.json listing both, then the same behind a nested index
multi=$T_TMP/multi
cp -r "$T_TMP/a/oci" "$multi"
cp "$T_TMP/other/oci/blobs/sha256/"* "$multi/blobs/sha256/"
jq -c --slurpfile o "$T_TMP/other/oci/index.json" '.manifests += $o[0].manifests' \
	"$T_TMP/a/oci/index.json" >"$multi/index.json"
t_ok "multi-platform index: host picked" tool open "$multi"
t_jq "the host's manifest" ".arch == \"$host\" and .manifest_digest == \"$(manifest_of "$T_TMP/a/oci")\"" "$T_TMP/out"
t_ok "multi-platform index: $other picked on request" tool open "$multi" latest "$other"
t_jq "the $other manifest" ".arch == \"$other\" and .manifest_digest == \"$(manifest_of "$T_TMP/other/oci")\"" "$T_TMP/out"
jq -cj 'del(.manifests[].annotations)' "$multi/index.json" >"$T_TMP/nested.json"
nd=$(sha256sum "$T_TMP/nested.json" | cut -d' ' -f1)
cp "$T_TMP/nested.json" "$multi/blobs/sha256/$nd"
jq -cn --arg d "sha256:$nd" --argjson s "$(stat -c %s "$T_TMP/nested.json")" '{schemaVersion: 2,
	manifests: [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s,
	annotations: {"org.opencontainers.image.ref.name": "latest"}}]}' >"$multi/index.json"
t_ok "nested index: $other picked" tool open "$multi" latest "$other"
t_jq "the $other manifest through the nested index" ".arch == \"$other\"" "$T_TMP/out"
t_exit 77 "nested index: a missing platform lists both" tool open "$multi" latest riscv64
t_err_line "both platforms named" "has linux/.*, linux/.* only, wanted riscv64"

# damage
bad=$T_TMP/bad
cp -r "$IMG" "$bad"
layer=$(layer_of "$bad")
t_flip_byte "$layer" 100
t_exit 1 "a corrupt layer blob is detected" tool open "$bad"
t_err_line "digest mismatch named" "corrupt"
rm -rf "$bad" && cp -r "$IMG" "$bad"
echo ' ' >>"$(blob "$bad" "$(manifest_of "$bad")")"
t_exit 1 "a corrupt manifest blob is detected" tool open "$bad"
t_err_line "digest mismatch named" "corrupt"
rm -rf "$bad" && cp -r "$IMG" "$bad"
rm "$(layer_of "$bad")"
t_exit 1 "a missing layer blob is detected" tool open "$bad"
t_err_line "the missing blob named" "No such file"
rm -f "$bad/index.json"
t_exit 1 "a missing index.json is refused" tool open "$bad"
t_err_line "one line naming index.json" "index.json"
t_exit 1 "a directory that is no layout is refused" tool open "$T_TMP"
t_err_line "one line naming oci-layout" "not an OCI image layout"

# -- unpack ------------------------------------------------------------------------
mkdir "$T_TMP/rootfs"
t_ok "unpack into an empty rootfs" tool unpack "$IMG" "$T_TMP/rootfs"
t_ok "rootfs has an executable /bin/ocibench-cpu" test -x "$T_TMP/rootfs/bin/ocibench-cpu" -a -f "$T_TMP/rootfs/bin/ocibench-cpu"
t_ok "the unpacked binary is the built one" cmp "$T_TMP/rootfs/bin/ocibench-cpu" "$CPU"
t_ok "/tmp is mode 1777" test "$(stat -c %a "$T_TMP/rootfs/tmp")" = 1777
t_ok "the unpacked binary runs" ${OB_EMU:-} "$T_TMP/rootfs/bin/ocibench-cpu" --events=1 --time=0

# hostile layers are refused: swap the layer of a copy for a crafted one
relayer() { # LAYOUT LAYER.tar: make LAYER.tar the image's only layer
	local l=$1 gz=$2.gz cfgd m d
	gzip -nc "$2" >"$gz"
	d=$(sha256sum "$gz" | cut -d' ' -f1)
	mv "$gz" "$l/blobs/sha256/$d"
	m=$(blob "$l" "$(manifest_of "$l")")
	cfgd=$(jq -r .config.digest "$m")
	jq -cj --arg id "sha256:$(sha256sum "$2" | cut -d' ' -f1)" '.rootfs.diff_ids = [$id]' \
		"$(blob "$l" "$cfgd")" >"$T_TMP/cfg"
	cfgd=$(sha256sum "$T_TMP/cfg" | cut -d' ' -f1)
	mv "$T_TMP/cfg" "$l/blobs/sha256/$cfgd"
	jq -cj --arg d "sha256:$d" --argjson s "$(stat -c %s "$l/blobs/sha256/$d")" \
		--arg c "sha256:$cfgd" --argjson cs "$(stat -c %s "$l/blobs/sha256/$cfgd")" \
		'.layers[0].digest = $d | .layers[0].size = $s | .config.digest = $c | .config.size = $cs' \
		"$m" >"$T_TMP/m"
	d=$(sha256sum "$T_TMP/m" | cut -d' ' -f1)
	mv "$T_TMP/m" "$l/blobs/sha256/$d"
	jq -c --arg d "sha256:$d" --argjson s "$(stat -c %s "$l/blobs/sha256/$d")" \
		'.manifests[0].digest = $d | .manifests[0].size = $s' "$l/index.json" >"$T_TMP/i"
	mv "$T_TMP/i" "$l/index.json"
}
hostile() { # DESC TAR: the crafted image opens but does not unpack, nothing escapes
	rm -rf "$bad" "$T_TMP/rf" "$T_TMP/outside" && cp -r "$IMG" "$bad" && mkdir "$T_TMP/rf" "$T_TMP/outside"
	relayer "$bad" "$2"
	t_exit 1 "$1 is refused" tool unpack "$bad" "$T_TMP/rf"
	t_err_line "one line saying why" "$3"
	t_ok "nothing written outside the rootfs" test -z "$(ls -A "$T_TMP/outside")"
}
mkdir -p "$T_TMP/h/bin" "$T_TMP/h/evil"
touch "$T_TMP/h/bin/.wh.sh" "$T_TMP/h/evil/file"
tar -cf "$T_TMP/wh.tar" -C "$T_TMP/h" bin
hostile "a whiteout" "$T_TMP/wh.tar" "whiteout"
tar -cf "$T_TMP/dotdot.tar" -C "$T_TMP/h" --transform 's,^evil,../outside,' evil/file
hostile "a ../ entry" "$T_TMP/dotdot.tar" "leaves the rootfs"
ln -s "$T_TMP/outside" "$T_TMP/h/link"
tar -cf "$T_TMP/sym.tar" -C "$T_TMP/h" link
tar -cf "$T_TMP/sym2.tar" -C "$T_TMP/h" --transform 's,^evil,link,' evil/file
tar -Af "$T_TMP/sym.tar" "$T_TMP/sym2.tar"
hostile "a file through a planted symlink" "$T_TMP/sym.tar" "symlink"

# the reader on the multi-architecture image
t_ok "the reader picks the host's manifest from the multi-arch image" tool open "$T_TMP/multiarch"
cp "$T_TMP/out" "$T_TMP/open-multi"
t_ok "it is the host build's manifest" grep -q "$(manifest_of "$IMG")" "$T_TMP/open-multi"
t_exit 77 "a platform the index lacks is refused" tool open "$T_TMP/multiarch" latest riscv64
t_err_line "one line naming the platforms it has" "linux/$other"

# variants: an index with arm/v7, arm64/v8 and ppc64le (the host's platform
# does not matter: each is asked for by name)
t_ok "build-index takes any number of layouts" sh -c "$BUILD arm '$T_TMP/v7' '$CPU' >/dev/null &&
	$BUILD arm64 '$T_TMP/v8' '$CPU' >/dev/null && $BUILD ppc64le '$T_TMP/ppc' '$CPU' >/dev/null &&
	bash '$S/containers/build-index' '$T_TMP/variants' '$T_TMP/v7/oci' '$T_TMP/v8/oci' '$T_TMP/ppc/oci'"
cp "$T_TMP/out" "$T_TMP/bi.out"
t_ok "it lists each platform with its variant" grep -qx 'linux/arm/v7 sha256:.*' "$T_TMP/bi.out"
idx=$(jq -r '.manifests[0].digest' "$T_TMP/variants/index.json")
t_jq "the index holds linux/arm/v7 and linux/arm64/v8" \
	'[.manifests[].platform | "\(.os)/\(.architecture)/\(.variant // "")"] | contains(["linux/arm/v7", "linux/arm64/v8"])' \
	"$(blob "$T_TMP/variants" "$idx")"
t_ok "arm/v7 is picked by arch and variant" tool open "$T_TMP/variants" latest arm/v7
t_jq "the arm/v7 manifest" '.arch == "arm" and .variant == "v7"' "$T_TMP/out"
t_ok "arm alone means arm/v7" tool open "$T_TMP/variants" latest arm
t_jq "the arm/v7 manifest again" '.arch == "arm" and .variant == "v7"' "$T_TMP/out"
t_ok "arm64/v8 by arch and variant" tool open "$T_TMP/variants" latest arm64/v8
t_jq "the arm64 manifest" '.arch == "arm64" and .variant == "v8"' "$T_TMP/out"
t_exit 77 "arm/v6 does not run an arm/v7 image" tool open "$T_TMP/variants" latest arm/v6
t_err_line "one line naming the variants it has" "linux/arm/v7.* only, wanted arm/v6"
t_exit 2 "a malformed platform is refused" tool open "$T_TMP/variants" latest arm/v7/x
t_err_line "one line naming it" "invalid platform 'arm/v7/x'"
# an arm/v6 image is what an arm/v7 host takes when the index has no v7
v6=$T_TMP/v6 && cp -r "$T_TMP/v7/oci" "$v6"
m6=$(blob "$v6" "$(manifest_of "$v6")")
c6=$(jq -r .config.digest "$m6")
jq -cj '.variant = "v6"' "$(blob "$v6" "$c6")" >"$T_TMP/c6"
c6n=sha256:$(sha256sum "$T_TMP/c6" | cut -d' ' -f1) && mv "$T_TMP/c6" "$(blob "$v6" "$c6n")"
jq -cj --arg d "$c6n" --argjson s "$(stat -c %s "$(blob "$v6" "$c6n")")" '.config.digest = $d | .config.size = $s' "$m6" >"$T_TMP/m6"
m6n=sha256:$(sha256sum "$T_TMP/m6" | cut -d' ' -f1) && mv "$T_TMP/m6" "$(blob "$v6" "$m6n")"
jq -c --arg d "$m6n" --argjson s "$(stat -c %s "$(blob "$v6" "$m6n")")" \
	'.manifests[0].digest = $d | .manifests[0].size = $s | .manifests[0].platform.variant = "v6"' \
	"$v6/index.json" >"$T_TMP/i6" && mv "$T_TMP/i6" "$v6/index.json"
t_ok "arm/v7 falls back to an arm/v6 image" tool open "$v6" latest arm/v7
t_jq "the arm/v6 manifest" '.arch == "arm" and .variant == "v6"' "$T_TMP/out"
t_done
