# common.sh - shell helpers shared by quickstart and runtimes/build (sourced).

# install_missing PKG...: apt-get install the Debian packages not yet installed
# (root only; otherwise name them and fail).  Waits for another apt to finish.
install_missing() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "${0##*/}: missing Debian packages (run as root to install): ${missing[*]}" >&2
		exit 1
	fi
	echo "${0##*/}: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	case " ${missing[*]}" in
	*:arm64*) dpkg --print-foreign-architectures | grep -qx arm64 ||
		dpkg --add-architecture arm64 ;;
	esac
	apt-get -o DPkg::Lock::Timeout=900 update -qq
	apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
}
