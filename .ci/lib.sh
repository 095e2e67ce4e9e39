# Shared helpers of .ci/run (make test) and .ci/demo (make demo). Sourced, not run.
# Settings (environment variables):
#   ODOO_PATH     folder holding an Odoo 18.0 source tree (the one with odoo/ inside); optional
#                 when python3 already imports odoo
#   ODOO_PYTHON   interpreter that runs Odoo (default: python3)
#   BPO_WORK_DIR  where databases' filestores, configs and logs go (default: ~/.cache/bpo_billing)
#   PGHOST/PGPORT/PGUSER  the PostgreSQL server to use (default: local socket, current user)

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_PYTHON=${ODOO_PYTHON:-python3}
BPO_WORK_DIR=${BPO_WORK_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bpo_billing}
ADDON_DEPENDS="account,base_import,mail,portal,sale_management"
mkdir -p "$BPO_WORK_DIR"

die() { echo "ERROR: $*" >&2; exit 1; }
step() { echo "==> $*"; }

odoo_cli() {
    "$ODOO_PYTHON" -c "import odoo.cli; odoo.cli.main()" "$@"
}

check_odoo() {
    if [ -n "${ODOO_PATH:-}" ]; then
        [ -d "$ODOO_PATH/odoo" ] || die "ODOO_PATH=$ODOO_PATH holds no odoo/ folder: point it at an Odoo 18.0 source tree."
        export PYTHONPATH="$ODOO_PATH${PYTHONPATH:+:$PYTHONPATH}"
    fi
    command -v "$ODOO_PYTHON" >/dev/null || die "$ODOO_PYTHON not found: install Python 3.10+ or set ODOO_PYTHON."
    local version
    version=$("$ODOO_PYTHON" -c "import odoo.release as r; print(r.serie)" 2>/dev/null) \
        || die "Odoo is missing: '$ODOO_PYTHON -c \"import odoo\"' fails. Install Odoo 18.0 Community (and its requirements.txt) or set ODOO_PATH to its source tree."
    [ "$version" = "18.0" ] || die "Odoo $version found; bpo_billing needs Odoo 18.0."
    step "Odoo $version from $("$ODOO_PYTHON" -c 'import os, odoo; print(os.path.dirname(odoo.__path__[0]))')"
}

check_community_only() {
    # Odoo always offers its own addons folder; a non-Community addon there could be installed
    # (and auto-installed) alongside ours, so the run refuses such a tree.
    local enterprise
    enterprise=$("$ODOO_PYTHON" - <<'PY'
import ast, os, odoo.addons
found = []
for root in odoo.addons.__path__:
    for name in sorted(os.listdir(root)):
        manifest = os.path.join(root, name, "__manifest__.py")
        if os.path.isfile(manifest):
            license_ = ast.literal_eval(open(manifest).read()).get("license", "LGPL-3")
            if license_ != "LGPL-3":  # Odoo Community addons are all LGPL-3
                found.append(name)
print(" ".join(found[:10]) + (" …" if len(found) > 10 else ""))
PY
)
    [ -z "$enterprise" ] || die "this Odoo offers addons that are not LGPL-3 Community addons ($enterprise); run bpo_billing against Odoo 18.0 Community only."
}

start_postgres() {
    if pg_isready -q 2>/dev/null; then
        return
    fi
    command -v pg_isready >/dev/null || die "PostgreSQL is missing: install PostgreSQL 13+ (client and server)."
    step "Starting PostgreSQL"
    if command -v pg_ctlcluster >/dev/null; then
        local cluster
        cluster=$(pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | head -n1)
        [ -n "$cluster" ] || die "PostgreSQL has no cluster: create one with pg_createcluster."
        # shellcheck disable=SC2086
        pg_ctlcluster $cluster start || die "could not start PostgreSQL cluster $cluster."
    else
        die "PostgreSQL is not running and cannot be started from here: start it and retry."
    fi
    for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
    pg_isready -q || die "PostgreSQL did not come up."
}

ensure_db_role() {
    # Odoo refuses the postgres role; the current user needs a role that can create databases
    local user=${PGUSER:-$(id -un)}
    if ! psql -d postgres -Atc "select 1" >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
            su postgres -c "psql -Atc \"CREATE ROLE \\\"$user\\\" SUPERUSER LOGIN\"" >/dev/null \
                || die "could not create PostgreSQL role $user."
        else
            die "PostgreSQL role '$user' is missing: run 'sudo -u postgres createuser -s $user'."
        fi
    fi
}

write_config() {  # write_config FILE HTTP_PORT
    cat > "$1" <<CFG
[options]
addons_path = $REPO_ROOT
data_dir = $BPO_WORK_DIR/data
db_host = ${PGHOST:-False}
db_port = ${PGPORT:-False}
db_user = ${PGUSER:-$(id -un)}
http_port = $2
gevent_port = $(($2 + 3))
list_db = False
CFG
}

db_exists() {
    psql -d postgres -Atc "select 1 from pg_database where datname = '$1'" | grep -q 1
}

drop_db() {
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    rm -rf "$BPO_WORK_DIR/data/filestore/$1"
}

clone_db() {  # clone_db TEMPLATE TARGET: database and filestore
    drop_db "$2"
    createdb -T "$1" "$2" || die "could not copy database $1 to $2 (is something connected to $1?)."
    mkdir -p "$BPO_WORK_DIR/data/filestore"
    if [ -d "$BPO_WORK_DIR/data/filestore/$1" ]; then
        cp -a "$BPO_WORK_DIR/data/filestore/$1" "$BPO_WORK_DIR/data/filestore/$2"
    fi
}
