// Package main is Scrutin's native verification kernel (crypto/kernel.py loads it with ctypes).
//
// The curve arithmetic is filippo.io/edwards25519 (Debian golang-filippo-edwards25519-dev);
// this file only decodes, validates and batches. Built by `make kernel` as a c-shared object.
package main

/*
#include <stdint.h>
*/
import "C"

import (
	"unsafe"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// lMinus1 is ℓ-1 little-endian: P is in the prime-order subgroup iff (ℓ-1)·P == -P.
var lMinus1 = func() *edwards25519.Scalar {
	b := []byte{
		0xec, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	}
	s, err := edwards25519.NewScalar().SetCanonicalBytes(b)
	if err != nil {
		panic(err)
	}
	return s
}()

var identity = edwards25519.NewIdentityPoint()

// validPoint has the semantics of libsodium's crypto_core_ed25519_is_valid_point: a canonical
// encoding of a point of order exactly ℓ (so the identity and every small/mixed-order point fail).
func validPoint(enc []byte) bool {
	p, err := new(edwards25519.Point).SetBytes(enc)
	if err != nil {
		return false
	}
	// SetBytes accepts non-canonical y (≥ p) and x = 0 with the sign bit set: re-encode.
	re := p.Bytes()
	for i := 0; i < 32; i++ {
		if re[i] != enc[i] {
			return false
		}
	}
	if p.Equal(identity) == 1 {
		return false
	}
	q := new(edwards25519.Point).VarTimeMultiScalarMult(
		[]*edwards25519.Scalar{lMinus1}, []*edwards25519.Point{p})
	return q.Add(q, p).Equal(identity) == 1
}

//export scrutin_validate
func scrutin_validate(in *C.uint8_t, n C.size_t, out *C.uint8_t) {
	encs := unsafe.Slice((*byte)(unsafe.Pointer(in)), int(n)*32)
	res := unsafe.Slice((*byte)(unsafe.Pointer(out)), int(n))
	for i := 0; i < int(n); i++ {
		if validPoint(encs[i*32 : i*32+32]) {
			res[i] = 1
		} else {
			res[i] = 0
		}
	}
}

// baseIndex in a term of scrutin_table_rows stands for the base point G (computed through the
// library's precomputed base-point tables instead of a decoded copy of G).
const baseIndex = 0xFFFFFFFF

// compressAll encodes every point with one field inversion for the whole batch (Montgomery's
// trick over the Z coordinates) instead of one inversion per point.
func compressAll(ps []*edwards25519.Point, out []byte) {
	n := len(ps)
	if n == 0 {
		return
	}
	xs := make([]field.Element, n)
	ys := make([]field.Element, n)
	prefix := make([]field.Element, n)
	var acc field.Element
	acc.One()
	for i, p := range ps {
		X, Y, Z, _ := p.ExtendedCoordinates()
		xs[i].Set(X)
		ys[i].Set(Y)
		prefix[i].Set(&acc)
		acc.Multiply(&acc, Z)
	}
	var inv, zInv, x, y field.Element
	inv.Invert(&acc) // 1 / (Z_0 ⋯ Z_{n-1}); Z ≠ 0 for every point of the curve
	for i := n - 1; i >= 0; i-- {
		_, _, Z, _ := ps[i].ExtendedCoordinates()
		zInv.Multiply(&inv, &prefix[i]) // 1 / Z_i
		inv.Multiply(&inv, Z)
		x.Multiply(&xs[i], &zInv)
		y.Multiply(&ys[i], &zInv)
		enc := y.Bytes()
		enc[31] |= byte(x.IsNegative() << 7)
		copy(out[32*i:32*i+32], enc)
	}
}

// scrutin_table_rows is the kernel's unit of work (a whole ballot's proof commitments): the
// ntable points of table are decoded once, then row r is Σ scalar·point over its counts[r]
// terms, each term a uint32 index into the table (baseIndex for G) and a canonical 32-byte
// scalar. Rows with one table point and G use the library's variable-time double-base
// multiplication, others its variable-time Straus multi-scalar multiplication; results are
// compressed in one batch. Returns 0, -1 if a table point does not decode, -2-r for the
// first row r with a bad index or a non-canonical scalar. With consttime ≠ 0 (secret scalars:
// a prover's nonces) every row uses the library's constant-time multi-scalar multiplication.
//
//export scrutin_table_rows
func scrutin_table_rows(table *C.uint8_t, ntable C.size_t, idx *C.uint32_t, scs *C.uint8_t,
	counts *C.uint32_t, rows C.size_t, out *C.uint8_t, consttime C.int) C.int {
	tb := unsafe.Slice((*byte)(unsafe.Pointer(table)), int(ntable)*32)
	cs := unsafe.Slice((*uint32)(unsafe.Pointer(counts)), int(rows))
	total := 0
	for _, c := range cs {
		total += int(c)
	}
	ix := unsafe.Slice((*uint32)(unsafe.Pointer(idx)), total)
	sb := unsafe.Slice((*byte)(unsafe.Pointer(scs)), total*32)
	ob := unsafe.Slice((*byte)(unsafe.Pointer(out)), int(rows)*32)
	pts := make([]edwards25519.Point, int(ntable))
	for i := range pts {
		if _, err := pts[i].SetBytes(tb[i*32 : i*32+32]); err != nil {
			return -1
		}
	}
	gen := edwards25519.NewGeneratorPoint()
	results := make([]*edwards25519.Point, int(rows))
	k := 0
	var points []*edwards25519.Point
	var scalars []*edwards25519.Scalar
	one := edwards25519.NewScalar()
	if _, err := one.SetCanonicalBytes(append([]byte{1}, make([]byte, 31)...)); err != nil {
		panic(err)
	}
	for r, c := range cs {
		points = points[:0]
		scalars = scalars[:0]
		var base *edwards25519.Scalar
		ones := 0 // terms whose scalar is 1: a plain sum needs no multiplication at all
		for i := 0; i < int(c); i++ {
			s, err := edwards25519.NewScalar().SetCanonicalBytes(sb[k*32 : k*32+32])
			if err != nil {
				return C.int(-2 - r)
			}
			if s.Equal(one) == 1 {
				ones++
			}
			j := ix[k]
			k++
			if j == baseIndex {
				if base == nil {
					base = s
				} else {
					base.Add(base, s)
				}
				continue
			}
			if int(j) >= len(pts) {
				return C.int(-2 - r)
			}
			points = append(points, &pts[j])
			scalars = append(scalars, s)
		}
		// The identity first: this version's MultiScalarMult accumulates into its receiver.
		res := edwards25519.NewIdentityPoint()
		switch {
		case consttime == 0 && ones == int(c) && c > 0:
			for _, p := range points { // Σ of the points (G terms, if any, were folded in base)
				res.Add(res, p)
			}
			if base != nil {
				res.Add(res, new(edwards25519.Point).ScalarBaseMult(base))
			}
		case consttime != 0:
			if base != nil {
				points = append(points, gen)
				scalars = append(scalars, base)
			}
			if len(points) == 0 {
				res.Set(edwards25519.NewIdentityPoint())
			} else {
				res.MultiScalarMult(scalars, points)
			}
		case len(points) == 0 && base == nil:
			res.Set(edwards25519.NewIdentityPoint())
		case len(points) == 0:
			res.ScalarBaseMult(base)
		case len(points) == 1 && base != nil:
			res.VarTimeDoubleScalarBaseMult(scalars[0], points[0], base)
		default:
			if base != nil {
				points = append(points, gen)
				scalars = append(scalars, base)
			}
			res.VarTimeMultiScalarMult(scalars, points)
		}
		results[r] = res
	}
	compressAll(results, ob)
	return 0
}

// decodePoint decodes a canonical encoding of any point of the curve (small-order and mixed-order
// points included: no subgroup check). Non-canonical encodings (y ≥ p, or x = 0 with the sign
// bit set) and off-curve encodings fail.
func decodePoint(p *edwards25519.Point, enc []byte) bool {
	if _, err := p.SetBytes(enc); err != nil {
		return false
	}
	// Canonical iff y < p and not (x = 0 with the sign bit set); x = 0 iff y = ±1. Checked on
	// the bytes, so no field inversion (re-encoding) is needed.
	if !yCanonical(enc) {
		return false
	}
	if enc[31]&0x80 != 0 && (isYOne(enc) || isYMinusOne(enc)) {
		return false
	}
	return true
}

// yCanonical: the 255-bit little-endian y of enc is below p = 2^255 − 19.
func yCanonical(enc []byte) bool {
	if enc[31]&0x7f != 0x7f {
		return true
	}
	for i := 30; i >= 1; i-- {
		if enc[i] != 0xff {
			return true
		}
	}
	return enc[0] < 0xed
}

func isYOne(enc []byte) bool {
	if enc[0] != 1 || enc[31]&0x7f != 0 {
		return false
	}
	for i := 1; i < 31; i++ {
		if enc[i] != 0 {
			return false
		}
	}
	return true
}

func isYMinusOne(enc []byte) bool { // y = p − 1 = 2^255 − 20
	if enc[0] != 0xec || enc[31]&0x7f != 0x7f {
		return false
	}
	for i := 1; i < 31; i++ {
		if enc[i] != 0xff {
			return false
		}
	}
	return true
}

// scrutin_decode writes out[i] = 1 if encoding i is a canonical encoding of a curve point (any
// order: proof commitments of ballot version 2, whose equations are checked cofactor-cleared),
// else 0.
//
//export scrutin_decode
func scrutin_decode(in *C.uint8_t, n C.size_t, out *C.uint8_t) {
	encs := unsafe.Slice((*byte)(unsafe.Pointer(in)), int(n)*32)
	res := unsafe.Slice((*byte)(unsafe.Pointer(out)), int(n))
	var p edwards25519.Point
	for i := 0; i < int(n); i++ {
		if decodePoint(&p, encs[i*32:i*32+32]) {
			res[i] = 1
		} else {
			res[i] = 0
		}
	}
}

// scrutin_batch_zero is the batch check of ballot version 2: the ntable points of table are
// decoded once (canonical curve points, any order), then it computes R = Σ scalar·point over
// the nterms terms (each a uint32 index into the table, baseIndex for G, and a canonical
// 32-byte scalar) with one variable-time multi-scalar multiplication and returns 1 if 8·R is
// the identity, 0 if not, -1 if a table point does not decode, -2 for a bad index or a
// non-canonical scalar.
//
//export scrutin_batch_zero
func scrutin_batch_zero(table *C.uint8_t, ntable C.size_t, idx *C.uint32_t, scs *C.uint8_t,
	nterms C.size_t) C.int {
	tb := unsafe.Slice((*byte)(unsafe.Pointer(table)), int(ntable)*32)
	ix := unsafe.Slice((*uint32)(unsafe.Pointer(idx)), int(nterms))
	sb := unsafe.Slice((*byte)(unsafe.Pointer(scs)), int(nterms)*32)
	pts := make([]edwards25519.Point, int(ntable))
	for i := range pts {
		if !decodePoint(&pts[i], tb[i*32:i*32+32]) {
			return -1
		}
	}
	// One scalar per table point (terms on the same point are summed), G folded apart.
	coef := make([]*edwards25519.Scalar, int(ntable))
	base := edwards25519.NewScalar()
	for k := 0; k < int(nterms); k++ {
		s, err := edwards25519.NewScalar().SetCanonicalBytes(sb[k*32 : k*32+32])
		if err != nil {
			return -2
		}
		j := ix[k]
		if j == baseIndex {
			base.Add(base, s)
			continue
		}
		if int(j) >= len(pts) {
			return -2
		}
		if coef[j] == nil {
			coef[j] = s
		} else {
			coef[j].Add(coef[j], s)
		}
	}
	points := make([]*edwards25519.Point, 0, len(pts)+1)
	scalars := make([]*edwards25519.Scalar, 0, len(pts)+1)
	for j := range pts {
		if coef[j] != nil {
			points = append(points, &pts[j])
			scalars = append(scalars, coef[j])
		}
	}
	points = append(points, edwards25519.NewGeneratorPoint())
	scalars = append(scalars, base)
	res := edwards25519.NewIdentityPoint()
	res.VarTimeMultiScalarMult(scalars, points)
	res.MultByCofactor(res)
	if res.Equal(identity) == 1 {
		return 1
	}
	return 0
}

func main() {}
