#!/usr/bin/env python3
"""Markdown tables for plugins/gan/README.md from finished genlab runs (mean ± sample std over seeds).

Usage: python3 plugins/gan/tools/gan_tables.py {modes|stab|mnist} NAME,NAME,... STORE_EXPERIMENT_DIR...
e.g.   python3 plugins/gan/tools/gan_tables.py modes ns,ns_mbd genlab-runs/gan-remedies-ring8
Reads every runs/*/artifacts/metrics.json under the given experiment folders of a local run store; a
trial that ran twice with the same seed counts once. Standard library only.
"""
import json,sys,glob,statistics as st,collections
def load(stores):
    by=collections.OrderedDict()
    for store in stores:
        for m in sorted(glob.glob(store+'/runs/*/artifacts/metrics.json')):
            d=json.load(open(m)); name,seed=d['run_name'].split(' seed=')
            by.setdefault(name,{})[int(seed)]=d   # a trial rerun with the same seed replaces the earlier one
    return by
def fmt(v,p):
    if len(v)==1: return ('%.'+p+'f')%v[0]
    return ('%.'+p+'f ± %.'+p+'f')%(st.mean(v),st.stdev(v))
mode=sys.argv[1]; order=sys.argv[2].split(','); stores=sys.argv[3:]
by=load(stores)
if mode=='modes':
    cols=[('modes_covered','1'),('high_quality_pct','1'),('reverse_kl','2'),('precision','3'),('recall','3'),('train_step_ms','0')]
    print('| config | seeds | modes | modes per seed | high-quality % | reverse KL | precision | recall | ms/step |')
elif mode=='stab':
    cols=[('loss_d_oscillation','3'),('loss_g_oscillation','3'),('loss_g_std','3'),('ratio','2'),('gap','2')]
    print('| config | seeds | loss_d oscillation | loss_g oscillation | loss_g std | loss_g osc/std | final D(x) − D(G(z)) | diverged |')
else:
    cols=[('fd_lenet','1'),('kid_lenet','1'),('conditional_accuracy','3'),('label_entropy','3'),('inception_score','2'),('precision_lenet','3'),('recall_lenet','3'),('classes_covered','1'),('train_step_ms','0')]
    print('| config | seeds | FD-LeNet | KID-LeNet | conditional accuracy | label entropy | IS-LeNet | precision | recall | classes | ms/step |')
print('|'+'---|'*(len(cols)+2+(1 if mode in ('stab','modes') else 0)))
for name in order:
    if name not in by: continue
    runs=[by[name][s] for s in sorted(by[name])]
    row=[]
    for k,p in cols:
        if k=='ratio': v=[r['metrics']['loss_g_oscillation']/r['metrics']['loss_g_std'] for r in runs]
        elif k=='gap': v=[r['final_losses']['d_real']-r['final_losses']['d_fake'] for r in runs]
        else: v=[r['metrics'][k] for r in runs]
        row.append(fmt(v,p))
        if mode=='modes' and k=='modes_covered': row.append(', '.join('%d'%x for x in v))
    if mode=='stab': row.append('%d/%d'%(sum(r['metrics']['diverged'] for r in runs),len(runs)))
    print('| %s | %s | %s |'%(name,','.join(map(str,sorted(by[name]))),' | '.join(row)))
