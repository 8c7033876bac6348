#!/bin/sh
# Renders the alertmanager.yml template: Alertmanager does not expand environment variables, so
# this fills in its ${VANTAGE_*_WEBHOOK_URL} placeholders. POSIX sh and sed only: it runs
# natively and in the busybox-based prom/alertmanager image.
#
#   render-config.sh IN OUT
#
#   VANTAGE_INCIDENT_WEBHOOK_URL   vantage's incident log, a copy of every alert
#                                  (default http://127.0.0.1:9470/api/alertmanager)
#   VANTAGE_PAGER_WEBHOOK_URL      critical alerts  } unset or empty: the incident URL, with a
#   VANTAGE_TICKET_WEBHOOK_URL     warning alerts   } warning that these alerts are only
#   VANTAGE_HEARTBEAT_WEBHOOK_URL  Watchdog         } recorded in vantage's incident log
#   VANTAGE_ADMIN_TOKEN_FILE       the file holding vantage's admin token, as Alertmanager
#                                  reads it: every webhook whose URL is the incident URL gets
#                                  http_config.authorization (Bearer, credentials_file) with it;
#                                  webhooks elsewhere never do. Unset: no token is sent, and
#                                  vantage then accepts the webhook from loopback only.
#
# Exits 1, naming the variable, when a value is not an http(s) URL or holds a character that
# would break the YAML or the substitution (percent-encode it). OUT is replaced atomically, so
# an Alertmanager reloading at that moment never reads half a file.
set -eu

prog=render-config.sh
default_incident_url=http://127.0.0.1:9470/api/alertmanager

die() {
  printf '%s: %s\n' "$prog" "$*" >&2
  exit 1
}

warn() {
  printf '%s: warning: %s\n' "$prog" "$*" >&2
}

# check_url NAME VALUE
check_url() {
  case $2 in
    http://[!/]* | https://[!/]*) ;;
    *) die "$1 must be an http:// or https:// URL with a host, got '$2'" ;;
  esac
  # The value lands in a single-quoted YAML string and in a sed replacement: allow the
  # characters a URL may hold unencoded (RFC 3986) except the single quote; newlines, spaces,
  # quotes and backslashes are refused. LC_ALL=C keeps A-Z a plain ASCII range.
  newline='
'
  case $2 in
    *"$newline"*) die "$1 must be one line, got a newline in it" ;;
  esac
  bad=$(printf '%s\n' "$2" | LC_ALL=C sed 's/[]A-Za-z0-9._~:/?#@!$&()*+,;=%[-]//g')
  if [ -n "$bad" ]; then
    die "$1 holds characters that must be percent-encoded: $(printf '%s\n' "$bad" | sed 's/./[&]/g') in '$2'"
  fi
}

# url_or_incident NAME WHAT [WHY]: the variable's value, or the incident URL with a warning.
url_or_incident() {
  eval "value=\${$1:-}"
  if [ -z "$value" ]; then
    warn "$1 is not set: $2 are only recorded in vantage's incident log ($incident_url) until it is set${3:-}"
    value=$incident_url
  fi
  check_url "$1" "$value"
  printf '%s\n' "$value"
}

# check_path NAME VALUE: an absolute path that fits in a single-quoted YAML string.
check_path() {
  case $2 in
    /*) ;;
    *) die "$1 must be an absolute path, got '$2'" ;;
  esac
  bad=$(printf '%s\n' "$2" | LC_ALL=C sed 's/[A-Za-z0-9._~/+@=,:-]//g')
  [ -z "$bad" ] || die "$1 holds characters a token file path may not: $(printf '%s\n' "$bad" | sed 's/./[&]/g') in '$2'"
  [ -r "$2" ] || warn "$1=$2 is not readable here: Alertmanager cannot send vantage its token, and vantage refuses the webhooks"
}

# For a sed replacement: & means "the match" there. check_url already refused \ and |.
sed_escape() {
  printf '%s\n' "$1" | sed 's/&/\\&/g'
}

if [ $# -ne 2 ]; then
  printf 'usage: %s IN OUT\n' "$prog" >&2
  exit 2
fi
in=$1
out=$2
[ -r "$in" ] || die "cannot read the template $in"

incident_url=${VANTAGE_INCIDENT_WEBHOOK_URL:-$default_incident_url}
check_url VANTAGE_INCIDENT_WEBHOOK_URL "$incident_url"
pager_url=$(url_or_incident VANTAGE_PAGER_WEBHOOK_URL 'critical alerts (pages)')
ticket_url=$(url_or_incident VANTAGE_TICKET_WEBHOOK_URL 'warning alerts (tickets) and alerts without a known severity')
heartbeat_url=$(url_or_incident VANTAGE_HEARTBEAT_WEBHOOK_URL 'Watchdog heartbeats' \
  ", and nothing outside notices when the alerting pipeline itself stops")
token_file=${VANTAGE_ADMIN_TOKEN_FILE:-}
[ -z "$token_file" ] || check_path VANTAGE_ADMIN_TOKEN_FILE "$token_file"

# Webhook URLs often carry a token (healthchecks.io, chat webhooks): the rendered file is
# readable by its owner only.
umask 077
tmp="$out.tmp.$$"
trap 'rm -f "$tmp" "$tmp.auth"' EXIT
sed \
  -e 's|\${VANTAGE_INCIDENT_WEBHOOK_URL}|'"$(sed_escape "$incident_url")"'|g' \
  -e 's|\${VANTAGE_PAGER_WEBHOOK_URL}|'"$(sed_escape "$pager_url")"'|g' \
  -e 's|\${VANTAGE_TICKET_WEBHOOK_URL}|'"$(sed_escape "$ticket_url")"'|g' \
  -e 's|\${VANTAGE_HEARTBEAT_WEBHOOK_URL}|'"$(sed_escape "$heartbeat_url")"'|g' \
  "$in" >"$tmp"

# vantage's token goes with the webhooks to vantage (the incident URL, and any receiver left to
# default to it) and to no other URL: a pager or heartbeat service must never receive it.
if [ -n "$token_file" ]; then
  awk -v url="'$incident_url'" -v file="$token_file" '
    { print }
    match($0, /^ *- url: /) && substr($0, RLENGTH + 1) == url {
      indent = substr($0, 1, RLENGTH - 7) "  "
      print indent "http_config:"
      print indent "  authorization:"
      print indent "    type: Bearer"
      print indent "    credentials_file: '\''" file "'\''"
    }' "$tmp" >"$tmp.auth"
  mv -f "$tmp.auth" "$tmp"
fi

# A placeholder this script does not know (a template edited without it) would reach
# Alertmanager as a literal URL: refuse it here, where the message can say what is wrong.
left=$(sed -n 's/.*\(\${VANTAGE_[A-Z_]*}\).*/\1/p' "$tmp")
if [ -n "$left" ]; then
  die "$in has placeholders this script does not fill: $(printf '%s\n' "$left" | sed -n '1h;1!H;${x;s/\n/ /g;p;}')"
fi
mv -f "$tmp" "$out"
trap - EXIT
