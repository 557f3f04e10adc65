//! Operators beyond `&da op &da` / `&da op f64`: on `GroupBy` against one value per
//! group (`(&g - &clim)?`, xarray's `ds.groupby("time.month") - clim`), on datasets
//! (with datasets, arrays and scalars, in both orders), and negation. Every
//! `GroupBy`/`DatasetGroupBy` operator has its reflected form (`(&clim - &g)?`); as in
//! xarray there is none with a scalar (`g - 1.0` is `&da - 1.0`).

use std::ops;

use crate::Result;
use crate::engine::{BinaryOp, UnaryOp};
use crate::labelled::computation::{DatasetGroupBy, GroupBy};
use crate::labelled::core::dataarray::DataArray;
use crate::labelled::core::dataset::Dataset;

macro_rules! impl_ops {
    ($($tr:ident $method:ident $op:ident),*) => {$(
        impl ops::$tr<&DataArray> for &GroupBy {
            type Output = Result<DataArray>;
            fn $method(self, rhs: &DataArray) -> Result<DataArray> {
                self.binary(BinaryOp::$op, rhs)
            }
        }
        impl ops::$tr<&GroupBy> for &DataArray {
            type Output = Result<DataArray>;
            fn $method(self, rhs: &GroupBy) -> Result<DataArray> {
                rhs.binary_reflected(BinaryOp::$op, self)
            }
        }
        impl ops::$tr<&Dataset> for &GroupBy {
            type Output = Result<Dataset>;
            fn $method(self, rhs: &Dataset) -> Result<Dataset> {
                self.binary_dataset(BinaryOp::$op, rhs, false)
            }
        }
        impl ops::$tr<&GroupBy> for &Dataset {
            type Output = Result<Dataset>;
            fn $method(self, rhs: &GroupBy) -> Result<Dataset> {
                rhs.binary_dataset(BinaryOp::$op, self, true)
            }
        }
        impl ops::$tr<&Dataset> for &DatasetGroupBy {
            type Output = Result<Dataset>;
            fn $method(self, rhs: &Dataset) -> Result<Dataset> {
                self.binary(BinaryOp::$op, rhs)
            }
        }
        impl ops::$tr<&DatasetGroupBy> for &Dataset {
            type Output = Result<Dataset>;
            fn $method(self, rhs: &DatasetGroupBy) -> Result<Dataset> {
                rhs.binary_reflected(BinaryOp::$op, self)
            }
        }
        impl ops::$tr<&DataArray> for &DatasetGroupBy {
            type Output = Result<Dataset>;
            fn $method(self, rhs: &DataArray) -> Result<Dataset> {
                self.binary_array(BinaryOp::$op, rhs, false)
            }
        }
        impl ops::$tr<&DatasetGroupBy> for &DataArray {
            type Output = Result<Dataset>;
            fn $method(self, rhs: &DatasetGroupBy) -> Result<Dataset> {
                rhs.binary_array(BinaryOp::$op, self, true)
            }
        }
        impl ops::$tr<&Dataset> for &Dataset {
            type Output = Result<Dataset>;
            fn $method(self, rhs: &Dataset) -> Result<Dataset> {
                self.binary(BinaryOp::$op, rhs)
            }
        }
        impl ops::$tr<&DataArray> for &Dataset {
            type Output = Result<Dataset>;
            fn $method(self, rhs: &DataArray) -> Result<Dataset> {
                self.binary_array(BinaryOp::$op, rhs, false)
            }
        }
        impl ops::$tr<&Dataset> for &DataArray {
            type Output = Result<Dataset>;
            fn $method(self, rhs: &Dataset) -> Result<Dataset> {
                rhs.binary_array(BinaryOp::$op, self, true)
            }
        }
        impl ops::$tr<f64> for &Dataset {
            type Output = Result<Dataset>;
            fn $method(self, rhs: f64) -> Result<Dataset> {
                self.binary_scalar(BinaryOp::$op, rhs, false)
            }
        }
        impl ops::$tr<&Dataset> for f64 {
            type Output = Result<Dataset>;
            fn $method(self, rhs: &Dataset) -> Result<Dataset> {
                rhs.binary_scalar(BinaryOp::$op, self, true)
            }
        }
    )*};
}
impl_ops!(Add add Add, Sub sub Sub, Mul mul Mul, Div div Div);

impl ops::Neg for &DataArray {
    type Output = Result<DataArray>;
    fn neg(self) -> Result<DataArray> {
        self.unary(UnaryOp::Neg)
    }
}

impl ops::Neg for &Dataset {
    type Output = Result<Dataset>;
    fn neg(self) -> Result<Dataset> {
        self.map(|v| v.unary(UnaryOp::Neg))
    }
}
