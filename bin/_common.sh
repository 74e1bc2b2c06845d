# Shared by bin/demo and bin/test: find Python >= 3.12, create and fill .venv.
# Sourced, not executed.

find_python() {
    local candidate
    for candidate in "${CABAS_PYTHON:-}" python3.14 python3.13 python3.12 python3 python; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "Cabas needs Python 3.12 or newer (set CABAS_PYTHON to its path)." >&2
    return 1
}

# ensure_venv REQUIREMENTS_FILE: create .venv if needed and install the file's
# packages when it changed since the last install.
ensure_venv() {
    local requirements="$1" stamp=".venv/.installed-$(basename "$1" .txt)"
    if [ ! -x .venv/bin/python ]; then
        echo "Creating the virtual environment in .venv ..."
        "$(find_python)" -m venv .venv
        .venv/bin/python -m pip install --quiet --upgrade pip
    fi
    local digest
    digest="$(cat requirements*.txt | sha256sum | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
        echo "Installing $requirements ..."
        .venv/bin/python -m pip install --quiet -r "$requirements"
        echo "$digest" >"$stamp"
    fi
    export PATH="$PWD/.venv/bin:$PATH"
}
