# kata.sh - recipe for Kata Containers 1.12.1 (sourced by runtimes/build):
# kata-runtime, kata-agent, kata-shim and kata-proxy built offline in a
# GOPATH layout, a guest initrd made from Debian's kernel package, busybox and
# the agent, and two configurations (9p and virtio-fs) whose hypervisor is
# qemu-accel (KVM where a guest boots with it, TCG otherwise).
SOURCES=(kata-runtime-1.12.1.tar.xz kata-agent-1.12.1.tar.xz kata-shim-1.12.1.tar.xz
	kata-proxy-1.12.1.tar.xz)
DEPS="golang-go libseccomp-dev pkg-config make gcc bc qemu-system-x86 busybox-static cpio
	kmod xz-utils"
ARCH_OK="amd64"
GOARCH_DEB=amd64
QEMU=/usr/bin/qemu-system-x86_64
VIRTIOFSD=/usr/lib/qemu/virtiofsd

# The newest Debian kernel package of this architecture (the cloud flavour
# lacks 9p).
kernel_package() {
	apt-cache depends "linux-image-$GOARCH_DEB" 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-image-[0-9].*-$GOARCH_DEB\)$/\1/p" | head -n 1
}

# uncompressed_kernel VMLINUZ OUT: the ELF kernel inside a compressed x86
# bzImage, found as the kernel's own extract-vmlinux finds it (each
# compressed stream that decompresses to an ELF file); false when none does.
uncompressed_kernel() {
	local z=$1 out=$2 c off
	for c in 'xz -dc:\xfd7zXZ\x00' 'zstd -dcq:\x28\xb5\x2f\xfd' 'gzip -dc:\x1f\x8b\x08'; do
		for off in $(LC_ALL=C grep -obUaP "${c#*:}" "$z" | cut -d: -f1); do
			tail -c +$((off + 1)) "$z" | ${c%%:*} >"$out" 2>/dev/null
			[ "$(head -c 4 "$out" | od -An -c | tr -d ' ')" = 177ELF ] && return 0
		done
	done
	rm -f "$out"
	return 1
}

# initrd WORK STAGE: kernel + modules from the Debian package, busybox, the
# agent with its libraries, /init.
make_guest() {
	local work=$1 stage=$2 pkg kver root=$1/initrd kroot=$1/kernel
	pkg=$(kernel_package)
	[ -n "$pkg" ] || { echo "no linux-image-*-$GOARCH_DEB package known to apt"; return 1; }
	(cd "$work" && apt-get download "$pkg")
	dpkg-deb -x "$work"/"$pkg"_*.deb "$kroot"
	kver=${pkg#linux-image-}
	# The uncompressed kernel (an ELF with a PVH entry, which QEMU boots
	# directly, as Kata's own guest kernel is): under QEMU's software CPU the
	# bzImage's own decompressor takes most of a boot (half a minute on a
	# loaded host, against two seconds up to the kernel's start without it).
	# The image as it is where none is found (arm64's Image is not compressed).
	if ! uncompressed_kernel "$kroot/boot/vmlinuz-$kver" "$stage/share/vmlinux"; then
		install -m 644 "$kroot/boot/vmlinuz-$kver" "$stage/share/vmlinux"
	fi
	depmod -b "$kroot" "$kver"
	mkdir -p "$root"/{bin,dev,proc,sys,etc,usr/bin,lib/modules,tmp,run}
	: >"$root/etc/modules.order"
	grep -v '^#' "$here/kata/modules" | while read -r m; do
		modprobe -d "$kroot" -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r ko; do
		local base=${ko##*/}
		base=${base%.xz}
		case "$ko" in
		*.xz) xz -dc "$ko" >"$root/lib/modules/$base" ;;
		*) cp "$ko" "$root/lib/modules/$base" ;;
		esac
		echo "$base" >>"$root/etc/modules.order"
	done
	install -m 755 /bin/busybox "$root/bin/busybox"
	install -m 755 "$here/kata/init" "$root/init"
	install -m 755 "$stage/libexec/kata-agent" "$root/usr/bin/kata-agent"
	ldd "$stage/libexec/kata-agent" | grep -o '/[^ ]*' | while read -r lib; do
		install -D -m 755 "$lib" "$root$lib"
	done
	# reproducible: fixed order and times, no owner names
	find "$root" -exec touch -h -d @0 {} +
	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null --create --format=newc --reproducible --owner=0:0 --quiet) |
		gzip -9n >"$stage/share/initrd.img"
	echo "kernel_package=$pkg $(dpkg-deb -f "$work"/"$pkg"_*.deb Version)" >"$work/guest.info"
}

# probe_accel STAGE: "kvm" when this host boots the guest with KVM, else "tcg".
probe_accel() {
	local stage=$1 out
	if [ ! -w /dev/kvm ]; then
		echo "tcg /dev/kvm is missing"
		return
	fi
	out=$(timeout 60 "$QEMU" -accel kvm -machine pc -cpu host -m 512 -smp 1 -nographic \
		-no-reboot -nodefaults -serial stdio -kernel "$stage/share/vmlinux" \
		-initrd "$stage/share/initrd.img" \
		-append "console=ttyS0 panic=-1 quiet ocibench.probe" </dev/null 2>&1) || true
	if grep -q OCIBENCH-GUEST-UP <<<"$out"; then
		echo "kvm a guest booted with KVM"
	else
		echo "tcg KVM did not boot a guest: $(grep -m1 -iE 'error|fail|abort' <<<"$out" |
			cut -c1-120)"
	fi
}

# hypervisor_section DEST VHOST: a generated configuration on stdin with its
# [hypervisor.qemu] path, kernel and initrd set to ours, and no image.
# VHOST ("true"/"false") says whether the guest's network goes through the
# host's vhost-net: Kata opens /dev/vhost-net for every network interface
# and fails the create without it; under TCG it would not help anyway.
# Block devices are never handed to the guest: with them, Kata attaches the
# host disk under a bundle's rootfs (the host's own root filesystem, mounted
# there) to the guest, which mounts it a second time, read-write; the
# container's files go through the shared filesystem (9p or virtio-fs), as
# the study measured.
hypervisor_section() {
	awk -v dest="$1" -v vhost="$2" '
	/^\[/ { inq = ($0 == "[hypervisor.qemu]") }
	inq && /^#? *disable_block_device_use = / { print "disable_block_device_use = true"; next }
	inq && /^#? *disable_vhost_net = / {
		print "disable_vhost_net = " (vhost == "true" ? "false" : "true"); next }
	inq && /^path = / { print "path = \"" dest "/libexec/qemu-accel\""; next }
	inq && /^valid_hypervisor_paths = / {
		print "valid_hypervisor_paths = [\"" dest "/libexec/qemu-accel\"]"; next }
	inq && /^kernel = / { print "kernel = \"" dest "/share/vmlinux\"";
		print "initrd = \"" dest "/share/initrd.img\""; next }
	inq && /^(initrd|image) = / { next }
	{ print }'
}

recipe_build() {
	local src=$1 work=$2 stage=$3 dest=$4 gp=$2/go/src/github.com/kata-containers r
	mkdir -p "$gp" "$stage"/{bin,libexec,share}
	for r in runtime agent shim proxy; do
		tar -C "$gp" -xJf "$src/kata-$r-1.12.1.tar.xz"
		mv "$gp/kata-$r-1.12.1" "$gp/$r"
	done
	export GOPATH=$work/go GO111MODULE=off GOARCH=$GOARCH_DEB
	GOFLAGS=
	# On the command line: the Makefile would override these from the
	# environment (the version check wants to download yq).
	make -C "$gp/runtime" SKIP_GO_VERSION_CHECK=1 PREFIX="$dest" \
		QEMUPATH="$dest/libexec/qemu-accel" \
		KERNELPATH="$dest/share/vmlinux" INITRDPATH="$dest/share/initrd.img" \
		SHIMPATH="$dest/bin/kata-shim" PROXYPATH="$dest/bin/kata-proxy" \
		DEFMEMSZ=1024 DEFVIRTIOFSDAEMON="$VIRTIOFSD" DEFVIRTIOFSCACHESIZE=0 \
		"$gp/runtime/kata-runtime" cli/config/configuration-qemu.toml \
		cli/config/configuration-qemu-virtiofs.toml
	# stripped: a smaller initrd boots faster under QEMU's software CPU
	make -C "$gp/agent" SKIP_GO_VERSION_CHECK=1 STRIP=yes kata-agent
	make -C "$gp/shim" SKIP_GO_VERSION_CHECK=1
	make -C "$gp/proxy" SKIP_GO_VERSION_CHECK=1
	install -m 755 "$gp/runtime/kata-runtime" "$gp/shim/kata-shim" "$gp/proxy/kata-proxy" \
		"$stage/bin/"
	install -m 755 "$gp/agent/kata-agent" "$stage/libexec/kata-agent"
	sed "s|@QEMU@|$QEMU|" "$here/kata/qemu-accel" >"$stage/libexec/qemu-accel"
	chmod 755 "$stage/libexec/qemu-accel"
	make_guest "$work" "$stage"
	probe_accel "$stage" >"$work/accel"
	cut -d' ' -f1 "$work/accel" >"$stage/share/accel"
	cut -d' ' -f2- "$work/accel" >"$stage/share/accel.why"
	vhost=false
	[ "$(cat "$stage/share/accel")" = kvm ] && [ -c /dev/vhost-net ] && vhost=true
	echo "$vhost" >"$stage/share/vhost-net"
	# Two configurations; the guest boots from the initrd, not an image.
	hypervisor_section "$dest" "$vhost" <"$gp/runtime/cli/config/configuration-qemu.toml" \
		>"$stage/share/configuration-9p.toml"
	hypervisor_section "$dest" "$vhost" \
		<"$gp/runtime/cli/config/configuration-qemu-virtiofs.toml" \
		>"$stage/share/configuration-virtio-fs.toml"
	cat "$work/guest.info" >"$stage/share/guest.info"
}

recipe_info() {
	echo "version=$("$1/bin/kata-runtime" --version | head -n 1)"
	cat "$1/share/guest.info"
	echo "accel=$(cat "$1/share/accel") ($(cat "$1/share/accel.why"))"
	echo "vhost_net=$(cat "$1/share/vhost-net") (KVM and /dev/vhost-net: both needed)"
}
