#!/usr/bin/env bash
# Writes test/fixtures/corpus/: small images as real encoders write them, plus truncated and
# corrupt copies, and manifest.json saying what each file is. Run by hand (the files are
# committed, so CI needs none of these tools); it needs Debian's imagemagick (/usr/bin/convert,
# not a wrapper earlier on PATH), libheif-examples, libavif-bin, libtiff-tools, libimage-exiftool-perl,
# gifsicle and webp, and tsx from this project (for the HEIC grid).
#
# Every picture is drawn upright with a marker in its top-left corner (red on a blue-green
# gradient, or black on light grey for grey formats); the manifest gives the upright size and
# the marker, so a test can check size and orientation of what the service makes of it.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=test/fixtures/corpus
IM=/usr/bin/convert
PNG_STABLE=(-define png:exclude-chunks=date,time) # no timestamps: a rerun rewrites the same bytes
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
rm -rf "$OUT" && mkdir -p "$OUT"
MANIFEST=()

# entry FILE WIDTH HEIGHT MARKER(red|dark|none) WHAT
entry () { MANIFEST+=("{\"file\":\"$1\",\"width\":$2,\"height\":$3,\"marker\":\"$4\",\"what\":\"$5\"}"); }

# picture W H OUT.png [grey]: the upright picture, marker a quarter of the short side.
picture () {
  local w=$1 h=$2 out=$3 s=$(( ($1 < $2 ? $1 : $2) / 4 ))
  if [ "${4:-}" = grey ]; then
    $IM -size "${w}x${h}" gradient:'#e8e8e8-#a0a0a0' -fill black -draw "rectangle 0,0 $((s - 1)),$((s - 1))" -colorspace Gray -depth 8 "$out"
  else
    $IM -size "${w}x${h}" gradient:'#2050d0-#20c080' -fill '#ff0000' -draw "rectangle 0,0 $((s - 1)),$((s - 1))" -depth 8 "$out"
  fi
}

picture 121 79 "$WORK/land.png"
picture 79 121 "$WORK/port.png"
picture 97 63 "$WORK/small.png"
picture 97 63 "$WORK/grey.png" grey
picture 181 117 "$WORK/wide.png"
picture 256 128 "$WORK/even.png"
TAGS=(-Make=CorpusCam -Model='Corpus One' -GPSLatitude=48.8584 -GPSLatitudeRef=N -GPSLongitude=2.2945
  -GPSLongitudeRef=E -XMP:Creator='Corpus Author' -IPTC:Keywords=corpus -overwrite_original -q)

# --- JPEG: EXIF orientation 1..8. The stored pixels are the upright picture transformed by
# the inverse of each orientation, so applying the tag gives the upright picture back.
INVERSE=(none "" -flop "-rotate 180" -flip -transpose "-rotate 270" -transverse "-rotate 90")
for shape in land port; do
  w=$(/usr/bin/identify -format %w "$WORK/$shape.png") h=$(/usr/bin/identify -format %h "$WORK/$shape.png")
  for o in 1 2 3 4 5 6 7 8; do
    f=jpeg-orientation-$o-$shape.jpg
    # shellcheck disable=SC2086
    $IM "$WORK/$shape.png" ${INVERSE[$o]} -quality 90 "$OUT/$f"
    exiftool "${TAGS[@]}" -Orientation#=$o "$OUT/$f"
    entry "$f" "$w" "$h" red "baseline JPEG, EXIF orientation $o, GPS, XMP and IPTC"
  done
done
$IM "$WORK/small.png" -interlace Plane -quality 85 "$OUT/jpeg-progressive.jpg"
entry jpeg-progressive.jpg 97 63 red 'progressive JPEG'
$IM "$WORK/small.png" -colorspace CMYK -quality 90 "$OUT/jpeg-cmyk.jpg"
entry jpeg-cmyk.jpg 97 63 red 'CMYK JPEG (Adobe marker)'
$IM "$WORK/small.png" -colorspace CMYK -interlace Plane -quality 90 "$OUT/jpeg-cmyk-progressive.jpg"
entry jpeg-cmyk-progressive.jpg 97 63 red 'CMYK progressive JPEG'
$IM "$WORK/grey.png" -quality 90 "$OUT/jpeg-grey.jpg"
entry jpeg-grey.jpg 97 63 dark 'greyscale JPEG'
$IM "$WORK/wide.png" -sampling-factor 4:4:4 -define jpeg:restart-interval=2 -quality 92 "$OUT/jpeg-444-restart.jpg"
entry jpeg-444-restart.jpg 181 117 red 'JPEG 4:4:4 with restart markers'
$IM "$WORK/small.png" -define jpeg:arithmetic-coding=true "$OUT/jpeg-arithmetic.jpg"
entry jpeg-arithmetic.jpg 97 63 red 'arithmetic-coded JPEG'

# --- PNG
$IM "$WORK/wide.png" -depth 16 "${PNG_STABLE[@]}" PNG48:"$OUT/png-16bit.png"
entry png-16bit.png 181 117 red '16-bit RGB PNG'
$IM "$WORK/small.png" -alpha set -channel A -fx 0.8 -depth 16 "${PNG_STABLE[@]}" PNG64:"$OUT/png-16bit-alpha.png"
entry png-16bit-alpha.png 97 63 red '16-bit RGBA PNG'
$IM "$WORK/small.png" -colors 64 "${PNG_STABLE[@]}" PNG8:"$OUT/png-palette.png"
entry png-palette.png 97 63 red 'palette PNG'
$IM "$WORK/small.png" -fill none -draw 'color 96,62 floodfill' -transparent '#20c080' -colors 32 "${PNG_STABLE[@]}" PNG8:"$OUT/png-palette-trns.png"
entry png-palette-trns.png 97 63 red 'palette PNG with tRNS'
$IM "$WORK/grey.png" -alpha set -channel A -fx 0.7 "${PNG_STABLE[@]}" PNG:"$OUT/png-grey-alpha.png"
entry png-grey-alpha.png 97 63 dark 'grey+alpha PNG'
$IM "$WORK/grey.png" -threshold 50% -depth 1 -type bilevel "${PNG_STABLE[@]}" PNG:"$OUT/png-1bit.png"
entry png-1bit.png 97 63 dark '1-bit grey PNG'
$IM "$WORK/wide.png" -interlace PNG "${PNG_STABLE[@]}" PNG24:"$OUT/png-interlaced.png"
entry png-interlaced.png 181 117 red 'Adam7 interlaced PNG'
$IM "$WORK/small.png" -depth 16 -interlace PNG "${PNG_STABLE[@]}" PNG48:"$OUT/png-interlaced-16bit.png"
entry png-interlaced-16bit.png 97 63 red 'Adam7 interlaced 16-bit PNG'

# --- GIF: three frames, the first upright with its marker.
for i in 1 2 3; do $IM "$WORK/small.png" -fill "#ffff0$i" -draw "circle $((30 + 15 * i)),40 $((34 + 15 * i)),40" "$WORK/frame$i.png"; done
$IM -delay 20 -loop 0 "$WORK"/frame[123].png "$WORK/anim.gif"
gifsicle -O3 "$WORK/anim.gif" -o "$OUT/gif-animated.gif"
entry gif-animated.gif 97 63 red 'animated GIF, optimised by gifsicle (frames hold differences)'
gifsicle -i "$WORK/anim.gif" -o "$OUT/gif-animated-interlaced.gif"
entry gif-animated-interlaced.gif 97 63 red 'interlaced animated GIF'
$IM "$WORK/wide.png" -transparent '#20c080' -fuzz 10% "$OUT/gif-transparent.gif"
entry gif-transparent.gif 181 117 red 'GIF with a transparent colour'

# --- WebP
img2webp -loop 0 -lossy -q 70 -d 100 "$WORK/frame1.png" "$WORK/frame2.png" -lossless "$WORK/frame3.png" -o "$OUT/webp-animated.webp" >/dev/null 2>&1
entry webp-animated.webp 97 63 red 'animated WebP (img2webp, lossy and lossless frames)'
gif2webp -q 70 "$WORK/anim.gif" -o "$OUT/webp-animated-from-gif.webp" >/dev/null 2>&1
entry webp-animated-from-gif.webp 97 63 red 'animated WebP (gif2webp)'
cwebp -quiet -lossless "$WORK/wide.png" -o "$OUT/webp-lossless.webp"
entry webp-lossless.webp 181 117 red 'lossless WebP'
$IM "$WORK/small.png" -alpha set -channel A -fx 0.6 "$WORK/alpha.png"
cwebp -quiet -q 70 -alpha_q 80 "$WORK/alpha.png" -o "$OUT/webp-alpha.webp"
entry webp-alpha.webp 97 63 red 'lossy WebP with alpha'

# --- HEIC (x265 through heif-enc). Phones write a grid of tiles: heif-grid.ts assembles one
# from tiles heif-enc encoded, as heif-enc 1.15 has no grid option.
heif-enc -q 60 "$WORK/wide.png" -o "$OUT/heic-odd-size.heic" >/dev/null
entry heic-odd-size.heic 181 117 red 'HEIC, odd size'
$IM "$WORK/small.png" -depth 16 PNG48:"$WORK/small16.png"
heif-enc -q 60 -b 10 "$WORK/small16.png" -o "$OUT/heic-10bit.heic" >/dev/null
entry heic-10bit.heic 97 63 red '10-bit HEIC'
# heif-enc 1.15 misreads a palette PNG with transparency (what ImageMagick made of alpha.png):
# it writes scrambled stripes and no alpha plane. Truecolour RGBA it encodes right.
$IM "$WORK/alpha.png" PNG32:"$WORK/alpha-rgba.png"
heif-enc -q 60 "$WORK/alpha-rgba.png" -o "$OUT/heic-alpha.heic" >/dev/null
entry heic-alpha.heic 97 63 red 'HEIC with an alpha plane'
picture 190 124 "$WORK/grid.png"
$IM "$WORK/grid.png" -background '#808080' -extent 192x128 -crop 64x64 +repage "$WORK/tile-%d.png"
for i in 0 1 2 3 4 5; do heif-enc -q 60 "$WORK/tile-$i.png" -o "$WORK/tile-$i.heic" >/dev/null; done
npx tsx test/corpus/heif-grid.ts --columns 3 --rows 2 --width 190 --height 124 -o "$OUT/heic-grid.heic" "$WORK"/tile-[0-5].heic
entry heic-grid.heic 190 124 red 'HEIC grid of 3x2 64px tiles cropped to 190x124, as phones write it'
$IM "$WORK/grid.png" -rotate 270 -background '#808080' -extent 128x192 -crop 64x64 +repage "$WORK/rtile-%d.png"
for i in 0 1 2 3 4 5; do heif-enc -q 60 "$WORK/rtile-$i.png" -o "$WORK/rtile-$i.heic" >/dev/null; done
npx tsx test/corpus/heif-grid.ts --columns 2 --rows 3 --width 124 --height 190 --irot 3 -o "$OUT/heic-grid-rotated.heic" "$WORK"/rtile-[0-5].heic
entry heic-grid-rotated.heic 190 124 red 'HEIC grid stored portrait with irot 270 (a phone held sideways)'

# --- AVIF (avifenc, libaom)
for d in 8 10 12; do
  avifenc --min 20 --max 40 -d $d -s 8 "$WORK/wide.png" "$OUT/avif-${d}bit.avif" >/dev/null
  entry "avif-${d}bit.avif" 181 117 red "$d-bit AVIF, odd size"
done
avifenc --min 20 --max 40 -y 400 -s 8 "$WORK/grey.png" "$OUT/avif-monochrome.avif" >/dev/null
entry avif-monochrome.avif 97 63 dark 'monochrome (4:0:0) AVIF'
avifenc --min 20 --max 40 -d 10 -y 400 -s 8 "$WORK/grey.png" "$OUT/avif-monochrome-10bit.avif" >/dev/null
entry avif-monochrome-10bit.avif 97 63 dark '10-bit monochrome AVIF'
avifenc --min 20 --max 40 -y 444 -s 8 "$WORK/alpha.png" "$OUT/avif-444-alpha.avif" >/dev/null
entry avif-444-alpha.avif 97 63 red 'AVIF 4:4:4 with alpha'
avifenc --min 20 --max 40 -s 8 -g 2x2 "$WORK/even.png" "$OUT/avif-grid.avif" >/dev/null
entry avif-grid.avif 256 128 red 'AVIF grid of 2x2 tiles'
$IM "$WORK/small.png" -rotate 270 "$WORK/small-ccw.png"
avifenc --min 20 --max 40 -s 8 --irot 3 "$WORK/small-ccw.png" "$OUT/avif-irot.avif" >/dev/null
entry avif-irot.avif 97 63 red 'AVIF stored portrait with irot 270'

# --- TIFF (libtiff's writers put the first directory after the pixel data)
$IM "$WORK/wide.png" -type TrueColor -compress None "$WORK/plain.tif"
tiffcp -c lzw "$WORK/plain.tif" "$OUT/tiff-lzw.tif"
entry tiff-lzw.tif 181 117 red 'LZW TIFF'
tiffcp -c zip "$WORK/plain.tif" "$OUT/tiff-deflate.tif"
entry tiff-deflate.tif 181 117 red 'deflate TIFF'
tiffcp -t -w 64 -l 64 -c lzw "$WORK/plain.tif" "$OUT/tiff-tiled.tif"
entry tiff-tiled.tif 181 117 red 'tiled (64x64) LZW TIFF'
tiffcp -B -c lzw "$WORK/plain.tif" "$OUT/tiff-big-endian.tif"
entry tiff-big-endian.tif 181 117 red 'big-endian (MM) LZW TIFF'
picture 300 240 "$WORK/large.png"
$IM "$WORK/large.png" -type TrueColor -compress None "$WORK/large.tif"
tiffcp -c none "$WORK/large.tif" "$OUT/tiff-uncompressed-large.tif"
entry tiff-uncompressed-large.tif 300 240 red 'uncompressed TIFF whose directory follows 211 KB of pixels'
tiffcp -c packbits "$WORK/plain.tif" "$OUT/tiff-packbits.tif"
entry tiff-packbits.tif 181 117 red 'PackBits TIFF'
tiffcp -c jpeg -r 16 "$WORK/plain.tif" "$OUT/tiff-jpeg.tif"
entry tiff-jpeg.tif 181 117 red 'JPEG-compressed TIFF'
$IM "$WORK/small.png" -type TrueColor -depth 16 -compress Zip "$OUT/tiff-16bit.tif"
entry tiff-16bit.tif 97 63 red '16-bit deflate TIFF'
$IM "$WORK/small.png" -colorspace CMYK -compress LZW "$OUT/tiff-cmyk.tif"
entry tiff-cmyk.tif 97 63 red 'CMYK LZW TIFF'
$IM "$WORK/small.png" -colors 16 -type Palette -compress LZW "$OUT/tiff-palette.tif"
entry tiff-palette.tif 97 63 red 'palette TIFF'
$IM "$WORK/grey.png" -compress None "$WORK/grey.tif"
vips tiffsave "$WORK/grey.tif" "$OUT/tiff-grey-ifd-first.tif"
entry tiff-grey-ifd-first.tif 97 63 dark 'greyscale TIFF with its directory before the pixels (libvips)'
$IM "$WORK/small.png" "$WORK/wide.png" -compress LZW "$OUT/tiff-multipage.tif"
entry tiff-multipage.tif 97 63 red 'two-page TIFF (first page counts)'

# --- BMP (ImageMagick's BMP writer)
$IM "$WORK/grey.png" -threshold 50% -type bilevel BMP3:"$OUT/bmp-1bit.bmp"
entry bmp-1bit.bmp 97 63 dark '1-bit BMP'
$IM "$WORK/small.png" -colors 16 -type Palette -compress None BMP3:"$OUT/bmp-4bit.bmp"
entry bmp-4bit.bmp 97 63 red '4-bit palette BMP'
$IM "$WORK/small.png" -colors 200 -type Palette -compress None BMP3:"$OUT/bmp-8bit.bmp"
entry bmp-8bit.bmp 97 63 red '8-bit palette BMP'
npx tsx test/corpus/bmp-rle4.ts "$OUT/bmp-4bit.bmp" "$OUT/bmp-rle4.bmp" # ImageMagick writes no RLE4
entry bmp-rle4.bmp 97 63 red 'RLE4 BMP'
$IM "$WORK/small.png" -colors 200 -type Palette -compress RLE BMP3:"$OUT/bmp-rle8.bmp"
entry bmp-rle8.bmp 97 63 red 'RLE8 BMP'
$IM "$WORK/small.png" -type TrueColor -define bmp:subtype=RGB565 BMP:"$OUT/bmp-16bit-565.bmp"
entry bmp-16bit-565.bmp 97 63 red '16-bit RGB565 BMP (bitfields)'
$IM "$WORK/small.png" -type TrueColor -define bmp:subtype=RGB555 BMP:"$OUT/bmp-16bit-555.bmp"
entry bmp-16bit-555.bmp 97 63 red '16-bit RGB555 BMP'
$IM "$WORK/small.png" -type TrueColor BMP3:"$OUT/bmp-24bit.bmp"
entry bmp-24bit.bmp 97 63 red '24-bit BMP (v3 header)'
$IM "$WORK/alpha.png" -type TrueColorAlpha BMP:"$OUT/bmp-32bit-alpha.bmp"
entry bmp-32bit-alpha.bmp 97 63 red '32-bit BMP with alpha (v5 header)'
$IM "$WORK/small.png" -type TrueColor BMP2:"$OUT/bmp-os2.bmp"
entry bmp-os2.bmp 97 63 red 'OS/2 1.x BMP (12-byte core header), 24-bit'

# --- Damaged copies: cut in half, or bytes in the middle overwritten.
half () { head -c $(( $(stat -c %s "$OUT/$1") / 2 )) "$OUT/$1" > "$OUT/$2"; read -r w h m <<<"$3"; entry "$2" "$w" "$h" none "first half of $1"; }
flip () {
  cp "$OUT/$1" "$OUT/$2"
  local size; size=$(stat -c %s "$OUT/$2")
  printf '\xde\xad\xbe\xef\x00\xff\x13\x37' | dd of="$OUT/$2" bs=1 seek=$(( size / 2 )) conv=notrunc status=none
  read -r w h m <<<"$3"; entry "$2" "$w" "$h" none "$1 with 8 bytes in the middle overwritten"
}
half jpeg-orientation-6-land.jpg truncated-jpeg.jpg '121 79'
half jpeg-progressive.jpg truncated-jpeg-progressive.jpg '97 63'
half png-interlaced.png truncated-png.png '181 117'
half gif-animated.gif truncated-gif.gif '97 63'
half webp-lossless.webp truncated-webp.webp '181 117'
half heic-grid.heic truncated-heic.heic '190 124'
half avif-10bit.avif truncated-avif.avif '181 117'
half tiff-grey-ifd-first.tif truncated-tiff.tif '97 63'
half bmp-24bit.bmp truncated-bmp.bmp '97 63'
flip jpeg-orientation-1-land.jpg corrupt-jpeg-metadata.jpg '121 79'
flip jpeg-progressive.jpg corrupt-jpeg.jpg '97 63'
flip png-16bit.png corrupt-png.png '181 117'
flip webp-alpha.webp corrupt-webp.webp '97 63'
flip heic-odd-size.heic corrupt-heic.heic '181 117'
flip avif-8bit.avif corrupt-avif.avif '181 117'
flip tiff-lzw.tif corrupt-tiff.tif '181 117'
flip bmp-rle8.bmp corrupt-bmp.bmp '97 63'
flip gif-transparent.gif corrupt-gif.gif '181 117'

{ echo '['; (IFS=$'\n'; echo "${MANIFEST[*]}") | sed '$!s/$/,/'; echo ']'; } > "$OUT/manifest.json"
echo "corpus: $(ls "$OUT" | grep -vc manifest.json) files, $(du -sh "$OUT" | cut -f1) in $OUT"
