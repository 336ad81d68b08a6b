# fleet-snapshot-collector.sh: prints a host's configuration for fleet-run.
#
# fleet-run sends this file, followed by calls of the collect_* functions
# for the categories, files and facts a workflow requests, as one POSIX sh
# command.  Output, one record per line (schema/fleet-snapshot-collect.h
# parses it):
#
#   fleet-collector 1
#   H NAME VALUE            header: os-family, collector
#   A CATEGORY              the category was collected
#   U CATEGORY REASON       the category could not be collected
#   I CATEGORY KEY VALUE    KEY has no space, VALUE is the rest of the line
#   X CATEGORY HEXKEY HEXVALUE   hex-encoded bytes, "-" for empty
#   F HEXPATH SHA256 MODE OWNER SIZE HEXLINK   a file; "-" for none
#   end
#
# Names from tools that cannot contain spaces or line breaks (package,
# unit, sysctl, user names) are printed as they are; file names, link
# targets and fact output are hex-encoded, so every byte except NUL
# round-trips.  A category whose tool is missing is reported with U, never
# as a failure of the whole command.

LC_ALL=C
export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH

have() {
  command -v "$1" >/dev/null 2>&1
}

hex() {
  if [ -z "$1" ]; then
    printf -- '-'
  else
    printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
  fi
}

os_release() {
  if [ -r /etc/os-release ]; then
    ( . /etc/os-release && eval "printf '%s' \"\${$1}\"" ) 2>/dev/null
  fi
}

begin() {
  echo 'fleet-collector 1'
  echo 'H collector fleet-snapshot-collector/2'
  kernel=$(uname -s 2>/dev/null)
  id=$(os_release ID)
  like=$(os_release ID_LIKE)
  case " $id $like " in
    *" debian "*|*" ubuntu "*) family=debian ;;
    *" rhel "*|*" fedora "*|*" centos "*|*" suse "*) family=rhel ;;
    *" alpine "*) family=alpine ;;
    *)
      case "$kernel" in
        *BSD|DragonFly) family=bsd ;;
        Darwin) family=darwin ;;
        Linux) family=linux ;;
        *) family=unknown ;;
      esac ;;
  esac
  echo "H os-family $family"
}

collect_os() {
  echo 'A os'
  echo "I os kernel $(uname -s 2>/dev/null)"
  echo "I os kernel-release $(uname -r 2>/dev/null)"
  echo "I os machine $(uname -m 2>/dev/null)"
  for field in ID VERSION_ID PRETTY_NAME; do
    value=$(os_release "$field")
    [ -n "$value" ] && echo "I os $field $value"
  done
  return 0
}

collect_packages() {
  if have dpkg-query; then
    echo 'A packages'
    dpkg-query -W -f='${db:Status-Abbrev} ${Package}:${Architecture} ${Version}\n' 2>/dev/null |
      awk '$1 ~ /^.i/ { print "I packages " $2 " " $3 }'
  elif have rpm; then
    echo 'A packages'
    # Install-only packages such as the kernel have several versions at
    # once: they become one item with the versions comma separated.
    rpm -qa --qf '%{NAME}.%{ARCH} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\n' 2>/dev/null | sort |
      awk '$1 == name { versions = versions "," $2; next }
           name != "" { print "I packages " name " " versions }
           { name = $1; versions = $2 }
           END { if (name != "") print "I packages " name " " versions }'
  elif [ -r /lib/apk/db/installed ]; then
    echo 'A packages'
    awk '/^P:/ { name = substr($0, 3) } /^V:/ { print "I packages " name " " substr($0, 3) }' \
      /lib/apk/db/installed
  elif have pkg; then
    echo 'A packages'
    pkg query '%n %v' 2>/dev/null | awk '{ print "I packages " $1 " " $2 }'
  else
    echo 'U packages no package manager found (dpkg-query, rpm, apk, pkg)'
  fi
}

collect_services() {
  if have systemctl && [ -d /run/systemd/system ]; then
    echo 'A services'
    # Value: ACTIVE SUB UNIT-FILE-STATE, joined from the loaded units and
    # the unit files; "inactive dead" for a unit that is not loaded, "-"
    # for a unit without a unit file of its own (a template instance).
    {
      systemctl list-unit-files --type=service --no-legend 2>/dev/null |
        awk '{ print "F " $1 " " $2 }'
      systemctl list-units --type=service --all --no-legend --plain 2>/dev/null |
        awk '{ print "L " $1 " " $3 " " $4 }'
    } | awk '$2 !~ /\.service$/ { next }
             $1 == "F" { state[$2] = $3; seen[$2] = 1; next }
             { active[$2] = $3 " " $4; seen[$2] = 1 }
             END { for (unit in seen)
                     print "I services " unit " " \
                       (unit in active ? active[unit] : "inactive dead") " " \
                       (unit in state ? state[unit] : "-") }'
  elif have rc-update; then
    echo 'A services'
    rc-update show -v 2>/dev/null |
      awk -F'|' '{ gsub(/ /, "", $1); sub(/^ +/, "", $2); sub(/ +$/, "", $2);
                   if ($1 != "") print "I services " $1 " " ($2 == "" ? "disabled" : $2) }'
  elif have service && service -e >/dev/null 2>&1; then
    echo 'A services'
    service -e 2>/dev/null | awk -F/ '{ print "I services " $NF " enabled" }'
  else
    echo 'U services no service manager found (systemctl, rc-update, service -e)'
  fi
}

collect_sysctl() {
  if have sysctl; then
    echo 'A sysctl'
    sysctl -a 2>/dev/null |
      sed -n 's/^\([^ =:][^ =:]*\) *[=:] *\(.*\)$/I sysctl \1 \2/p'
  else
    echo 'U sysctl sysctl not found'
  fi
}

collect_ports() {
  if have ss; then
    echo 'A ports'
    # Older iproute2 releases lack -H, so the header line is skipped here.
    ss -l -n -t -u 2>/dev/null |
      awk '$1 != "Netid" && NF >= 5 { print "I ports " $1 "/" $5 " listening" }'
  elif have netstat; then
    echo 'A ports'
    netstat -an 2>/dev/null |
      awk '$NF == "LISTEN" { print "I ports " $1 "/" $4 " listening" }'
  else
    echo 'U ports ss and netstat not found'
  fi
}

collect_users() {
  echo 'A users'
  { getent passwd 2>/dev/null || cat /etc/passwd; } |
    awk -F: 'NF >= 7 && $1 !~ /[ \t]/ { print "I users " $1 " " $3 ":" $4 ":" $6 ":" $7 }'
}

collect_groups() {
  echo 'A groups'
  { getent group 2>/dev/null || cat /etc/group; } |
    awk -F: 'NF >= 3 && $1 !~ /[ \t]/ { print "I groups " $1 " " $3 ":" $4 }'
}

collect_mounts() {
  if [ -r /proc/mounts ]; then
    echo 'A mounts'
    awk '{ print "I mounts " $2 " " $1 " " $3 " " $4 }' /proc/mounts
  elif have mount; then
    echo 'A mounts'
    mount -p 2>/dev/null | awk '{ print "I mounts " $2 " " $1 " " $3 " " $4 }'
  else
    echo 'U mounts /proc/mounts and mount not found'
  fi
}

file_digest() {
  if have sha256sum; then
    sha256sum < "$1" 2>/dev/null | awk '{ print $1 }'
  elif have sha256; then
    sha256 -q < "$1" 2>/dev/null
  elif have openssl; then
    openssl dgst -sha256 -r < "$1" 2>/dev/null | awk '{ print $1 }'
  fi
}

# Print "MODE-OCTAL USER:GROUP SIZE" for a path, from GNU or BSD stat.
file_stat() {
  if out=$(stat -c '%f %U:%G %s' -- "$1" 2>/dev/null); then
    set -- $out
    printf '%o %s %s\n' "0x$1" "$2" "$3"
  elif out=$(stat -f '%p %Su:%Sg %z' "$1" 2>/dev/null); then
    set -- $out
    printf '%s %s %s\n' "$1" "$2" "$3"
  fi
}

emit_file() {
  [ -e "$1" ] || [ -L "$1" ] || return 0
  digest=-
  link=
  if [ -L "$1" ]; then
    link=$(readlink -- "$1" 2>/dev/null; echo x)
    link=${link%?}
    link=${link%
}
  elif [ -f "$1" ] && [ -r "$1" ]; then
    digest=$(file_digest "$1")
    [ -n "$digest" ] || digest=-
  fi
  meta=$(file_stat "$1")
  [ -n "$meta" ] || meta='0 ? 0'
  echo "F $(hex "$1") $digest $meta $(hex "$link")"
}

files_begin() {
  if have sha256sum || have sha256 || have openssl; then
    echo 'A files'
    files_ok=1
  else
    echo 'U files no SHA-256 tool found (sha256sum, sha256, openssl)'
    files_ok=0
  fi
}

# Emit every file under a directory, hidden ones included, without
# following symbolic links.  Patterns that match nothing stay literal and
# emit_file skips them.
walk_directory() {
  for entry in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    if [ -d "$entry" ] && [ ! -L "$entry" ]; then
      walk_directory "$entry"
    else
      emit_file "$entry"
    fi
  done
}

# Emit every file matching a glob; a directory contributes the files under
# it.  A pattern that matches nothing is skipped: the file is absent.
collect_files() {
  [ "$files_ok" = 1 ] || return 0
  saved_ifs=$IFS
  IFS='
'
  set -- $1
  IFS=$saved_ifs
  for path in "$@"; do
    if [ -d "$path" ] && [ ! -L "$path" ]; then
      walk_directory "$path"
    else
      emit_file "$path"
    fi
  done
}

facts_begin() {
  echo 'A facts'
}

# Record the standard output of a command, trailing line breaks removed.
# NOTE: the exit status is not recorded, so a failing command reads as
# its (often empty) output.
collect_fact() {
  value=$(sh -c "$2" 2>/dev/null </dev/null)
  echo "X facts $(hex "$1") $(hex "$value")"
}

finish() {
  echo 'end'
}
