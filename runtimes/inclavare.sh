# inclavare.sh - recipe for Inclavare Containers' rune v0.6.0 (sourced by
# runtimes/build).  Later tags need Intel's DCAP quote-verification library,
# which Debian does not package; every tag reports "1.0.0-rc10+dev".
SOURCES=(inclavare-rune-v0.6.0.tar.xz)
DEPS="golang-go libseccomp-dev pkg-config make gcc bc"
ARCH_OK="amd64 arm64"

recipe_build() {
	local src=$1 work=$2 stage=$3
	tar -C "$work" -xJf "$src/${SOURCES[0]}"
	cd "$work"/rune-v0.6.0/rune
	GOFLAGS="$GOFLAGS -mod=vendor" make rune COMMIT=v0.6.0
	install -D -m 755 rune "$stage/bin/rune"
}

recipe_info() {
	echo "version=$("$1/bin/rune" --version | tr '\n' ' ')"
}
