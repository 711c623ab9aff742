#!/usr/bin/env bash
# Compile the sketch for the Nano 33 BLE Sense Rev1 and Rev2 against the real Arduino core
# and libraries, with the flags arduino-cli uses for arduino:mbed_nano:nano33ble (read from
# the core's platform.txt recipes and the variant's *.txt files), and link everything except
# Mbed OS itself (libmbed.a is a build product, not in the core's sources).
#
# Warnings are errors on the project's own files (the sketch and src/), as they are in
# firmware/tests; the core and libraries compile with arduino-cli's default -w.
# Where the sources are absent it prints how to get them and exits 0 (a skip).
#
# Sources are looked up in ARDUINO_DIRS (colon-separated), default arduino-cli's folders:
#   <dir>/packages/arduino/hardware/mbed_nano/<version>   (arduino-cli core install)
#   <dir>/libraries/<Name>                                 (arduino-cli lib install)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SKETCH=$(cd "$HERE/../magic_wand" && pwd)
BUILD=${BUILD:-$HERE/build/arduino}
DIRS=${ARDUINO_DIRS:-$HOME/.arduino15:$HOME/Arduino}
PREFIX=${ARM_PREFIX:-arm-none-eabi-}
JOBS=${JOBS:-$(nproc)}
LIBS_COMMON="ArduinoBLE Arduino_TensorFlowLite Wire SPI"
LIBS_REV1="Arduino_LSM9DS1"
LIBS_REV2="Arduino_BMI270_BMM150"

skip() {
  cat <<EOF
arduino-check skipped: $1
  get them with arduino-cli (then re-run; or point ARDUINO_DIRS at a folder laid out the same way):
    arduino-cli core install arduino:mbed_nano@4.6.0
    arduino-cli lib install ArduinoBLE@2.0.1 Arduino_LSM9DS1@1.1.1 Arduino_BMI270_BMM150@1.2.3
    git clone https://github.com/tensorflow/tflite-micro-arduino-examples ~/Arduino/libraries/Arduino_TensorFlowLite
  and the compiler: apt install gcc-arm-none-eabi libstdc++-arm-none-eabi-newlib
EOF
  exit 0
}

command -v "${PREFIX}g++" >/dev/null || skip "${PREFIX}g++ not found"

CORE="" CORE_VERSION=""
IFS=: read -r -a dirs <<<"$DIRS"
for d in "${dirs[@]}"; do
  for c in "$d"/packages/arduino/hardware/mbed_nano/*/; do
    [[ -f "$c/platform.txt" ]] && CORE=${c%/} && CORE_VERSION=$(basename "$CORE")
  done
done
[[ -n "$CORE" ]] || skip "no arduino:mbed_nano core under ARDUINO_DIRS=$DIRS"

find_lib() {  # a core-bundled library (Wire, SPI) or an installed one
  local name=$1 d
  [[ -d "$CORE/libraries/$name" ]] && { echo "$CORE/libraries/$name"; return; }
  for d in "${dirs[@]}"; do
    [[ -d "$d/libraries/$name" ]] && { echo "$d/libraries/$name"; return; }
  done
  return 1
}
for lib in $LIBS_COMMON $LIBS_REV1 $LIBS_REV2; do
  find_lib "$lib" >/dev/null || skip "library $lib not found under ARDUINO_DIRS=$DIRS"
done

VARIANT=$CORE/variants/ARDUINO_NANO33BLE
COREDIR=$CORE/cores/arduino
# platform.txt compiler.{c,cpp}.flags and recipe.{c,cpp}.o.pattern for nano33ble (boards.txt),
# with compiler.warning_flags at arduino-cli's default ("none": -w) for third-party code.
ARCH_FLAGS=(-g3 -nostdlib -DARDUINO_ARCH_NRF52840 -MMD -mcpu=cortex-m4 -mfloat-abi=softfp -mfpu=fpv4-sp-d16
  -DARDUINO=10607 -DARDUINO_ARDUINO_NANO33BLE -DARDUINO_ARCH_MBED -DARDUINO_LIBRARY_DISCOVERY_PHASE=0)
TAIL_FLAGS=("-I$COREDIR/api/deprecated" "-I$COREDIR/api/deprecated-avr-comp" "-iprefix$COREDIR/" "@$VARIANT/includes.txt")
OWN_WARN=(-Wall -Wextra)

compile() {  # compile <src> <obj> <own:0|1> <extra flags...>
  local src=$1 obj=$2 own=$3
  shift 3
  [[ $own == 0 && -f "$obj" && "$obj" -nt "$src" ]] && return 0
  mkdir -p "$(dirname "$obj")"
  local warn=(-w) base
  [[ $own == 1 ]] && warn=("${OWN_WARN[@]}")
  case $src in
    *.c) base=(-c "${warn[@]}" "@$VARIANT/defines.txt" "@$VARIANT/cflags.txt") ;;
    *.S) base=(-c -x assembler-with-cpp -mcpu=cortex-m4 -mfpu=fpv4-sp-d16) ;;
    *) base=(-c "${warn[@]}" "@$VARIANT/defines.txt" "@$VARIANT/cxxflags.txt") ;;
  esac
  local cc="${PREFIX}g++"
  [[ $src == *.c ]] && cc="${PREFIX}gcc"
  if [[ $own == 1 ]]; then
    "$cc" "${base[@]}" "${ARCH_FLAGS[@]}" "$@" "${TAIL_FLAGS[@]}" "$src" -o "$obj" 2>"$obj.log" || { cat "$obj.log"; return 1; }
    # -Werror for our files only: a warning located in a library header is not ours to fix.
    if grep -E "^$SKETCH/[^:]+:[0-9]+:[0-9]+: warning:" "$obj.log" >/dev/null; then
      cat "$obj.log"
      echo "arduino-check: warnings in the project's own files (treated as errors)" >&2
      return 1
    fi
  else
    "$cc" "${base[@]}" "${ARCH_FLAGS[@]}" "$@" "${TAIL_FLAGS[@]}" "$src" -o "$obj"
  fi
}
export -f compile
export PREFIX VARIANT COREDIR SKETCH
export ARCH_FLAGS_S="${ARCH_FLAGS[*]}"

sources() { find "$@" \( -name '*.c' -o -name '*.cpp' -o -name '*.cc' -o -name '*.S' \) -not -path '*/examples/*' | sort; }

build_rev() {
  local rev=$1 out=$BUILD/rev$1 libs="$LIBS_COMMON" lib dir
  [[ $rev == 2 ]] && libs="$libs $LIBS_REV2" || libs="$libs $LIBS_REV1"
  mkdir -p "$out/sketch"
  local includes=("-I$COREDIR" "-I$VARIANT")
  for lib in $libs; do
    dir=$(find_lib "$lib")
    [[ -d "$dir/src" ]] && includes+=("-I$dir/src") || includes+=("-I$dir")
  done
  local defs=("-DWAND_BOARD_REV=$rev")  # compiler.cpp.extra_flags, as the README's Rev2 build uses
  # arduino-cli's sketch preprocessing: the .ino becomes a .cpp that includes Arduino.h first.
  { echo '#include <Arduino.h>'; echo "#line 1 \"$SKETCH/magic_wand.ino\""; cat "$SKETCH/magic_wand.ino"; } >"$out/sketch/magic_wand.ino.cpp.new"
  cmp -s "$out/sketch/magic_wand.ino.cpp.new" "$out/sketch/magic_wand.ino.cpp" 2>/dev/null ||
    mv "$out/sketch/magic_wand.ino.cpp.new" "$out/sketch/magic_wand.ino.cpp"
  rm -f "$out/sketch/magic_wand.ino.cpp.new"
  local jobs=() src
  # own files: the sketch and everything under its src/ (arduino-cli compiles src/ recursively)
  jobs+=("$out/sketch/magic_wand.ino.cpp|$out/sketch/magic_wand.ino.cpp.o|1|-I$SKETCH")
  while read -r src; do jobs+=("$src|$out/sketch/${src#"$SKETCH/"}.o|1|-I$SKETCH"); done < <(sources "$SKETCH/src")
  while read -r src; do jobs+=("$src|$out/core/${src#"$CORE/"}.o|0|"); done < <(sources "$COREDIR" "$VARIANT")
  for lib in $libs; do
    dir=$(find_lib "$lib")
    while read -r src; do jobs+=("$src|$out/libraries/$lib/${src#"$dir/"}.o|0|"); done < <(sources "$dir/src" 2>/dev/null || sources "$dir")
  done
  echo "Rev$rev: compiling ${#jobs[@]} translation units (core $CORE_VERSION; libraries: $libs)"
  local incs="${includes[*]} ${defs[*]}"
  printf '%s\n' "${jobs[@]}" | INCS="$incs" xargs -P "$JOBS" -I{} bash -c '
    IFS="|" read -r src obj own extra <<<"{}"
    read -r -a ARCH_FLAGS <<<"$ARCH_FLAGS_S"
    TAIL_FLAGS=("-I$COREDIR/api/deprecated" "-I$COREDIR/api/deprecated-avr-comp" "-iprefix$COREDIR/" "@$VARIANT/includes.txt")
    OWN_WARN=(-Wall -Wextra)
    read -r -a incs <<<"$INCS"
    compile "$src" "$obj" "$own" $extra "${incs[@]}" || { echo "FAILED: $src" >&2; exit 255; }'
  # Link (recipe.c.combine.pattern) without libmbed.a: references into Mbed OS stay
  # unresolved and are listed; a reference from our own objects that nothing defines fails.
  # Mbed's startup (Reset_Handler, in libmbed.a) is what reaches main(); without it
  # --gc-sections would drop main/setup/loop and all they call, so they are kept by name.
  "${PREFIX}g++" -E -P -x c "$VARIANT/linker_script.ld" -o "$out/linker_script.ld"
  local core_objs own_objs lib_objs
  mapfile -t core_objs < <(find "$out/core" -name '*.o' | sort)
  mapfile -t own_objs < <(find "$out/sketch" -name '*.o' | sort)
  mapfile -t lib_objs < <(find "$out/libraries" -name '*.o' | sort)
  rm -f "$out/core.a"
  "${PREFIX}ar" rcs "$out/core.a" "${core_objs[@]}"
  "${PREFIX}g++" "-L$out" -Wl,--gc-sections -w -Wl,--as-needed "@$VARIANT/ldflags.txt" "-T$out/linker_script.ld" \
    "-Wl,-Map,$out/magic_wand.map" --specs=nosys.specs -o "$out/magic_wand.elf" "${own_objs[@]}" "${lib_objs[@]}" \
    -Wl,--whole-archive "$out/core.a" "$VARIANT"/libs/libcc_310_*.a -Wl,--no-whole-archive \
    -Wl,--start-group -lstdc++ -lsupc++ -lm -lc -lgcc -lnosys -Wl,--end-group \
    -Wl,--warn-unresolved-symbols -Wl,-u,main -Wl,-u,setup -Wl,-u,loop 2>"$out/link.log" ||
    { cat "$out/link.log"; return 1; }
  local unresolved
  unresolved=$(grep -o "undefined reference to \`[^']*'" "$out/link.log" | sort -u | wc -l)
  # A reference is ours when the linker names our source. The sketch may use Mbed OS's own
  # API (mbed::FlashIAP for the bonds), which libmbed.a provides; anything else must resolve.
  local ours mbed_used
  ours=$(grep "undefined reference" "$out/link.log" | grep -F "$SKETCH/" || true)
  mbed_used=$(grep -o "undefined reference to \`mbed::[^']*'" <<<"$ours" | sort -u | wc -l)
  ours=$(grep -v "undefined reference to \`mbed::" <<<"$ours" || true)
  if [[ -n "$ours" ]]; then
    echo "$ours"
    echo "Rev$rev: the sketch references symbols nothing defines (above)" >&2
    return 1
  fi
  # flash: what arduino-cli's recipe.size.regex counts (.text .data .rodata); RAM: .data .bss
  # (the linker script gives the rest of RAM to .heap and .stack).
  "${PREFIX}size" -A "$out/magic_wand.elf" | awk -v rev="$rev" -v n="$unresolved" -v m="$mbed_used" '
    /^\.text|^\.data|^\.rodata|^\.ARM/ { flash += $2 } /^\.data|^\.bss|^\.crash_data_ram/ { ram += $2 }
    END { printf "Rev%s: linked without Mbed OS: flash %d bytes, static RAM %d bytes (sketch + core + libraries; %d Mbed OS symbols unresolved, %d of them Mbed API the sketch calls; nothing else)\n", rev, flash, ram, n, m }'
}

for rev in ${REVS:-1 2}; do build_rev "$rev"; done
echo "arduino-check: the sketch compiles for Rev1 and Rev2 against mbed_nano $CORE_VERSION"
