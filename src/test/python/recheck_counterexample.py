"""An independent re-check of a VNN-COMP counterexample file: the ONNX network evaluated in float64 by PyTorch with
a protobuf reader written here (neither the workbench's importer nor its forward pass), the file's X checked
against the property's input box, and the file's Y compared with this evaluation.

    /usr/bin/python3 src/test/python/recheck_counterexample.py NET.onnx COUNTEREXAMPLE.txt [SPEC.vnnlib]

Operators: Conv, Relu, Gemm, MatMul, Add, Sub, Mul, Div, Flatten, Reshape, Constant, Shape (VNN-COMP 2021's
acasxu, mnistfc, oval21 networks). With SPEC, the outputs must also lie in the property's unsafe set. Exit 1
when X leaves the box, Y differs by more than 1e-9 or (with SPEC) the outputs are safe.
"""
import struct, sys, re, torch, torch.nn.functional as F
def varint(b, i):
    r = s = 0
    while True:
        c = b[i]; i += 1; r |= (c & 0x7f) << s; s += 7
        if c < 0x80: return r, i
def fields(b):
    i, out = 0, []
    while i < len(b):
        k, i = varint(b, i); f, t = k >> 3, k & 7
        if t == 0: v, i = varint(b, i)
        elif t == 1: v = b[i:i+8]; i += 8
        elif t == 5: v = b[i:i+4]; i += 4
        elif t == 2:
            n, i = varint(b, i); v = b[i:i+n]; i += n
        else: raise ValueError(t)
        out.append((f, t, v))
    return out
def ints(fs, f):
    r = []
    for ff, t, v in fs:
        if ff != f: continue
        if t == 0: r.append(v if v < 1 << 63 else v - (1 << 64))
        else:
            j = 0
            while j < len(v):
                x, j = varint(v, j); r.append(x if x < 1 << 63 else x - (1 << 64))
    return r
def tensor(b):
    fs = fields(b); dims = ints(fs, 1); dt = ints(fs, 2)[0]
    name = [v.decode() for f, t, v in fs if f == 8]
    raw = [v for f, t, v in fs if f == 9]
    if raw:
        fmt = {1: 'f', 7: 'q', 11: 'd'}[dt]; data = list(struct.unpack('<%d%s' % (len(raw[0]) // struct.calcsize(fmt), fmt), raw[0]))
    elif dt == 1:
        data = []
        for f, t, v in fs:
            if f == 4: data += list(struct.unpack('<%df' % (len(v) // 4), v)) if t == 2 else [struct.unpack('<f', v)[0]]
    else: data = ints(fs, 7)
    return (name[0] if name else None), torch.tensor(data, dtype=torch.float64 if dt in (1, 11) else torch.int64).reshape(dims)
model = open(sys.argv[1], 'rb').read()
graph = [v for f, t, v in fields(model) if f == 7][0]
env = {}; nodes = []; inputs = []
for f, t, v in fields(graph):
    if f == 5: n, x = tensor(v); env[n] = x
    elif f == 1: nodes.append(v)
    elif f == 11:
        vi = fields(v); nm = [w.decode() for ff, tt, w in vi if ff == 1][0]; dims = []
        for ff, tt, w in vi:  # ValueInfoProto.type -> TypeProto.tensor_type -> shape -> dim -> dim_value
            if ff != 2: continue
            for f2, t2, w2 in fields(w):
                if f2 != 1: continue
                for f3, t3, w3 in fields(w2):
                    if f3 == 2: dims = [ints(fields(d), 1)[0] if ints(fields(d), 1) else 1 for f4, t4, d in fields(w3) if f4 == 1]
        inputs.append((nm, dims))
xin, xshape = [(n, d) for n, d in inputs if n not in env][0]
ce = {int(m.group(1)): float(m.group(2)) for m in re.finditer(r'\(X_(\d+) ([-\d.eE]+)\)', open(sys.argv[2]).read())}
x = torch.tensor([ce[k] for k in range(len(ce))], dtype=torch.float64)
env[xin] = x.reshape([max(d, 1) for d in xshape]) if xshape else x
for nb in nodes:
    fs = fields(nb); ins = [v.decode() for f, t, v in fs if f == 1]; outs = [v.decode() for f, t, v in fs if f == 2]
    op = [v.decode() for f, t, v in fs if f == 4][0]; at = {}
    for f, t, v in fs:
        if f != 5: continue
        a = fields(v); nm = [w.decode() for ff, tt, w in a if ff == 1][0]
        if any(ff == 8 for ff, tt, w in a): at[nm] = ints(a, 8)
        elif any(ff == 3 for ff, tt, w in a): at[nm] = ints(a, 3)[0]
        elif any(ff == 2 for ff, tt, w in a): at[nm] = [struct.unpack('<f', w)[0] for ff, tt, w in a if ff == 2][0]
        elif any(ff == 5 for ff, tt, w in a): at[nm] = tensor([w for ff, tt, w in a if ff == 5][0])[1]
    I = [env[n] if n else None for n in ins]
    if op == 'Conv':
        xx = I[0]
        p = at.get('pads', [0, 0, 0, 0]); assert p[0] == p[2] and p[1] == p[3]
        y = F.conv2d(xx, I[1], I[2] if len(I) > 2 else None, stride=at.get('strides', [1, 1]), padding=(p[0], p[1]))
    elif op == 'Relu': y = torch.relu(I[0])
    elif op == 'Gemm':
        A = I[0].reshape(1, -1) if I[0].dim() == 1 else I[0]; B = I[1].T if at.get('transB', 0) else I[1]
        A = A.T if at.get('transA', 0) else A
        y = at.get('alpha', 1.0) * A @ B + (at.get('beta', 1.0) * I[2] if len(I) > 2 else 0)
    elif op == 'MatMul': y = I[0] @ I[1]
    elif op == 'Add': y = I[0] + I[1]
    elif op == 'Sub': y = I[0] - I[1]
    elif op == 'Mul': y = I[0] * I[1]
    elif op == 'Div': y = I[0] / I[1]
    elif op == 'Flatten': y = I[0].reshape(I[0].shape[0], -1) if I[0].dim() > 1 else I[0]
    elif op == 'Reshape':
        sh = [int(s) for s in I[1].tolist()]; y = I[0].reshape([I[0].shape[i] if s == 0 else s for i, s in enumerate(sh)])
    elif op == 'Constant': y = at['value']
    elif op == 'Shape': y = torch.tensor(I[0].shape)
    else: raise SystemExit('op ' + op)
    env[outs[0]] = y.to(torch.float64) if y.dtype.is_floating_point else y
y = env[outs[0]].reshape(-1).tolist()
print('outputs', ' '.join('%.10g' % v for v in y))
# The counterexample file's own Y values against this evaluation:
mine = {int(m.group(1)): float(m.group(2)) for m in re.finditer(r'\(Y_(\d+) ([-\d.eE]+)\)', open(sys.argv[2]).read())}
diff = max(abs(mine[k] - y[k]) for k in mine) if mine else float('nan')
print('largest difference from the file\'s Y', diff)
bad = not diff <= 1e-9
if len(sys.argv) > 3:
    spec = open(sys.argv[3]).read()
    outside = 0
    for m in re.finditer(r'\(assert \((<=|>=) X_(\d+) ([-\d.eE]+)\)\)', spec):
        v, b = ce[int(m.group(2))], float(m.group(3))
        outside += (v > b) if m.group(1) == '<=' else (v < b)
    print('inputs outside the box', outside)
    # The unsafe set: a disjunction of conjunctions of (<= A B) / (>= A B) over Y_i and numbers, or, without an "or",
    # one conjunction of the Y assertions.
    val = lambda t: y[int(t[2:])] if t.startswith('Y_') else float(t)
    atom = re.compile(r'\((<=|>=) (Y_\d+|[-\d.eE]+) (Y_\d+|[-\d.eE]+)\)')
    holds = lambda a: val(a[1]) <= val(a[2]) if a[0] == '<=' else val(a[1]) >= val(a[2])
    ys = [a for a in atom.findall(spec) if 'Y_' in a[1] + a[2]]
    if '(or' in spec:
        body = spec[spec.index('(or'):]
        clauses = [atom.findall(c) for c in re.findall(r'\(and((?:\s*\([^()]*\))+)\s*\)', body)]
    else:
        clauses = [ys]
    unsafe = any(c and all(holds(a) for a in c) for c in clauses)
    print('outputs in the unsafe set', unsafe, '(%d clauses)' % len(clauses))
    bad |= outside > 0 or not unsafe
sys.exit(1 if bad else 0)
