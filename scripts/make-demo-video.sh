#!/usr/bin/env bash
# Generates the demo project's real video (public/demo/four-scenes.mp4) with native ffmpeg: four
# 30-s scenes in the looks and sounds of the demo's scene types (src/lib/demo/scenes.ts) —
# landscape, action, conversation, suspense — so the demo exercises the real decoder. Committed;
# rerun only to change it.
set -euo pipefail
cd "$(dirname "$0")/../public/demo"
S=320x180
D=30

landscape="color=c=0x5a96e6:s=$S:r=24:d=$D,drawbox=y=ih*0.55:w=iw:h=ih*0.45:color=0x2a7832:t=fill,drawbox=x='iw*mod(t*0.02\,1)':y=ih*0.15:w=20:h=20:color=0xfae678:t=fill"
action="color=c=0xaa2814:s=$S:r=24:d=$D,drawgrid=w=iw/6:h=ih:x='mod(t*60\,iw/6)':t=13:color=0xe6dcc8"
conversation="color=c=0x785f46:s=$S:r=24:d=$D,drawbox=x=iw*0.22:y=ih*0.22:w=iw*0.16:h=ih*0.46:color='0xebbea0':t=fill:enable='lt(mod(t\,8)\,4)',drawbox=x=iw*0.22:y=ih*0.22:w=iw*0.16:h=ih*0.46:color=0xaa826e:t=fill:enable='gte(mod(t\,8)\,4)',drawbox=x=iw*0.62:y=ih*0.22:w=iw*0.16:h=ih*0.46:color=0xebbea0:t=fill:enable='gte(mod(t\,8)\,4)',drawbox=x=iw*0.62:y=ih*0.22:w=iw*0.16:h=ih*0.46:color=0xaa826e:t=fill:enable='lt(mod(t\,8)\,4)'"
suspense="color=c=0x0f0f19:s=$S:r=24:d=$D,drawbox=x=iw/2-30:y=ih/2-30:w=60:h=60:color=0x6e6e7d:t=fill"

a_landscape="anoisesrc=d=$D:c=brown:a=0.3:r=22050,volume=0.8"
a_action="aevalsrc=exprs='(if(lt(mod(t*3\,2)\,1)\,0.6\,0.15))*(random(0)*2-1)*0.7+0.2*(2*mod(110*t\,1)-1)':s=22050:d=$D"
a_conversation="aevalsrc=exprs='if(gt(sin(2*PI*4*t)\,0)\,1\,0.1)*(0.3*sin(2*PI*(150+60*sin(2*PI*0.3*t))*t))':s=22050:d=$D"
a_suspense="aevalsrc=exprs='0.4*sin(2*PI*55*t)+0.05*sin(2*PI*3000*t)*sin(2*PI*0.5*t)':s=22050:d=$D"

ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "$landscape" -f lavfi -i "$action" -f lavfi -i "$conversation" -f lavfi -i "$suspense" \
  -f lavfi -i "$a_landscape" -f lavfi -i "$a_action" -f lavfi -i "$a_conversation" -f lavfi -i "$a_suspense" \
  -filter_complex "[0:v][4:a][1:v][5:a][2:v][6:a][3:v][7:a]concat=n=4:v=1:a=1[v][a]" \
  -map "[v]" -map "[a]" -c:v libx264 -preset veryfast -crf 30 -g 96 -pix_fmt yuv420p \
  -c:a aac -b:a 24k -ac 1 -movflags +faststart four-scenes.mp4
ls -l four-scenes.mp4
