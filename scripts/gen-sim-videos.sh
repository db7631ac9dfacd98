#!/usr/bin/env bash
# Regenerates the simulator's committed videos in assets/video/: PALETTE colours x 3 aspects x
# 3 containers, each a 1-second animated gradient of a few KB. Run by hand only (never by CI or
# npm install: they have no ffmpeg); needs ffmpeg with libx264 and libvpx (Debian: apt-get install
# ffmpeg). The simulator picks one by the result's seed and the requested aspect (src/sim/videos.ts),
# so PALETTE's length and the sizes below must match VIDEO_VARIETY and ASPECT_SIZES there.
set -euo pipefail
cd "$(dirname "$0")/../assets/video"

# Two colours per clip, far apart on the wheel so thumbnails tell them apart at a glance.
PALETTE=(
  "e6194b:ffe119" "3cb44b:4363d8" "f58231:911eb4" "42d4f4:f032e6" "bfef45:fabed4" "469990:dcbeff"
  "9a6324:fffac8" "800000:aaffc3" "808000:ffd8b1" "000075:a9a9a9" "ff4500:1e90ff" "2f4f4f:ffd700"
)
declare -A SIZES=([landscape]=160x90 [portrait]=90x160 [square]=120x120)
COMMON=(-hide_banner -loglevel error -y -an -map_metadata -1 -fflags +bitexact -flags:v +bitexact -pix_fmt yuv420p)
H264=(-c:v libx264 -profile:v baseline -preset veryslow -crf 32 -movflags +faststart)

for aspect in landscape portrait square; do
  for i in "${!PALETTE[@]}"; do
    IFS=: read -r c0 c1 <<<"${PALETTE[$i]}"
    name=$(printf "%s-%02d" "$aspect" "$i")
    src="gradients=size=${SIZES[$aspect]}:rate=12:duration=1:c0=0x${c0}:c1=0x${c1}:nb_colors=2:speed=0.05:seed=$((i + 1))"
    ffmpeg -f lavfi -i "$src" "${H264[@]}" "${COMMON[@]}" "$name.mp4"
    ffmpeg -f lavfi -i "$src" "${H264[@]}" "${COMMON[@]}" "$name.mov"
    ffmpeg -f lavfi -i "$src" -c:v libvpx-vp9 -b:v 0 -crf 45 -deadline good "${COMMON[@]}" "$name.webm"
  done
done
du -ch ./*-[0-9][0-9].* | tail -1
