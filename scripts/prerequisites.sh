# Sourced by .ci/run and scripts/setup.sh: installs the Debian packages a new machine lacks, and points node-gyp
# at Node's own headers. Not executable on its own; `source scripts/prerequisites.sh runtime|test`.
#
# runtime: what `npm install && npm start` needs: a compiler for zstd-napi's native addon (its prebuilt binary
#          cannot always be downloaded), and redis-server for the private Redis the service starts when none
#          answers at the default address.
# test:    the runtime set, plus zstd (the dictionary trainer's tests) and, for the Python client test, Debian's
#          protoc, the well-known types and python3-grpcio / python3-protobuf (checked by the absolute paths
#          the test uses: the python3 first on PATH may be another interpreter, e.g. pyenv's), and for the Python
#          client's own tests (npm run test:python) virtual environments of the python3 on PATH (python3-venv).

redisession_prerequisites() {
  local set="$1" missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  if [ "$set" = test ]; then
    command -v zstd >/dev/null 2>&1 || missing+=(zstd)
    command -v /usr/bin/protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
    [ -f /usr/include/google/protobuf/struct.proto ] || missing+=(libprotobuf-dev)
    /usr/bin/python3 -I -c "import grpc, google.protobuf" >/dev/null 2>&1 ||
      missing+=(python3-grpcio python3-protobuf)
    # Debian's python3 makes virtual environments only with ensurepip, which python3-venv provides.
    python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv)
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update || return 1
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" ||
      return 1
  fi

  # node-gyp downloads Node's headers unless told where they are, and a machine without internet access cannot.
  # Node installed from a package ships them under its own prefix (e.g. /usr/include/node/node.h).
  local nodedir
  nodedir="$(npm config get nodedir 2>/dev/null)"
  if [ -z "${npm_config_nodedir:-}" ] && { [ -z "$nodedir" ] || [ "$nodedir" = undefined ] || [ "$nodedir" = null ]; }; then
    local prefix
    prefix="$(node -p 'require("node:path").resolve(process.execPath, "../..")')"
    if [ -f "$prefix/include/node/node.h" ]; then
      export npm_config_nodedir="$prefix"
    fi
  fi
}

redisession_prerequisites "${1:-runtime}"
